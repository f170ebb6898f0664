import { parseCapAlert } from './parse.js';
import { verifyCapSignature, type TrustedCertificate } from './signature.js';
import type { SignatureCheck } from './trust.js';
import type { CapAlert, CapError } from './types.js';

export type ReadResult = { ok: true; alert: CapAlert; signature: SignatureCheck } | { ok: false; error: CapError };

/**
 * The one door for an alert from outside: the signature is checked first, and a signed alert is
 * read from the bytes the signature covers, never from the document around them.
 */
export function readCapAlert(xml: string, certificates: readonly TrustedCertificate[]): ReadResult {
  const sig = verifyCapSignature(xml, certificates);
  if (!sig.ok) return sig;
  const parsed = parseCapAlert(sig.status === 'valid' ? sig.signedXml : xml);
  if (!parsed.ok) return parsed;
  const signature: SignatureCheck = sig.status === 'valid' ? { status: 'valid', signer: sig.signer } : { status: 'unsigned' };
  return { ok: true, alert: parsed.alert, signature };
}
