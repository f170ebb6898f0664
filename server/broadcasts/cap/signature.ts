import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { CAP_NS, XMLDSIG_NS, type CapError } from './types.js';
import { readXml, type XmlElement } from './xml.js';

/** A certificate the commune trusts to sign alerts, under a name the trust list refers to. */
export interface TrustedCertificate { name: string; pem: string }

export type SignatureResult =
  | { ok: true; status: 'unsigned' }
  /** `signedXml` is the alert exactly as signed (canonical, without its signature): parse that, not the input. */
  | { ok: true; status: 'valid'; signer: string; fingerprint256: string; signedXml: string }
  | { ok: false; error: CapError };

const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

const bad = (message: string): SignatureResult => ({ ok: false, error: { code: 'cap_bad_signature', element: 'Signature', message } });

function countSignatures(el: XmlElement): number {
  return el.children.reduce((n, c) => n + countSignatures(c), el.ns === XMLDSIG_NS && el.name === 'Signature' ? 1 : 0);
}

const dsigChildren = (el: Element, name: string): Element[] => {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    const e = n as Element;
    if (n.nodeType === 1 && e.namespaceURI === XMLDSIG_NS && e.localName === name) out.push(e);
  }
  return out;
};

/**
 * The shape CAP 1.2 §3.3.4.1 gives a signed alert: one enveloped signature, a child of <alert>, whose
 * one reference is the whole document (URI=""). Anything else could sign one part of the document
 * while another part is read (signature wrapping), so it is refused before any key is tried.
 */
function envelopedShape(signature: Element): string | undefined {
  const signedInfo = dsigChildren(signature, 'SignedInfo');
  if (signedInfo.length !== 1) return 'The signature must have one SignedInfo.';
  const refs = dsigChildren(signedInfo[0], 'Reference');
  if (refs.length !== 1 || refs[0].getAttribute('URI') !== '') {
    return 'The signature must have one Reference, to the whole alert (URI=""), as an enveloped signature.';
  }
  const transforms = dsigChildren(refs[0], 'Transforms').flatMap((t) => dsigChildren(t, 'Transform'));
  if (!transforms.some((t) => t.getAttribute('Algorithm') === ENVELOPED)) {
    return 'The signature\'s reference must use the enveloped-signature transform.';
  }
  return undefined;
}

const fingerprintOf = (pem: string): string | undefined => {
  try { return new X509Certificate(pem).fingerprint256; } catch { return undefined; }
};

/**
 * Checks the XML-DSig signature an alert may carry (CAP 1.2 §3.3.4.1) against the configured
 * certificates only: a certificate inside the signature's KeyInfo is never trusted for itself, it
 * only tells a tampered document from one signed by someone unknown. An unsigned alert is reported
 * as such; whether it may air is the trust policy's decision.
 */
export function verifyCapSignature(xml: string, certificates: readonly TrustedCertificate[]): SignatureResult {
  const doc = readXml(xml);
  if (!doc.ok) return { ok: false, error: doc.error };
  const count = countSignatures(doc.root);
  if (count === 0) return { ok: true, status: 'unsigned' };
  if (count > 1) return bad(`The document holds ${count} signatures; a CAP alert carries one.`);

  const dom = new DOMParser().parseFromString(xml, 'text/xml');
  const root = dom.documentElement;
  if (!root || root.namespaceURI !== CAP_NS || root.localName !== 'alert') {
    return bad('A signature is accepted only on a CAP 1.2 <alert>.');
  }
  const signature = dsigChildren(root, 'Signature')[0];
  if (!signature) return bad('The signature must be a child of <alert> (an enveloped signature).');
  const shape = envelopedShape(signature);
  if (shape) return bad(shape);

  for (const cert of certificates) {
    const sig = new SignedXml({ publicCert: cert.pem, getCertFromKeyInfo: () => null });
    sig.loadSignature(signature);
    try {
      if (!sig.checkSignature(xml)) {
        return bad('The alert was changed after it was signed: its digest does not match the signature.');
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/invalid signature/i.test(message)) continue;
      return bad(`The signature cannot be checked: ${message}.`);
    }
    const [signedXml] = sig.getSignedReferences();
    return { ok: true, status: 'valid', signer: cert.name, fingerprint256: fingerprintOf(cert.pem) ?? '', signedXml };
  }
  return noKnownSigner(signature, certificates);
}

function noKnownSigner(signature: Element, certificates: readonly TrustedCertificate[]): SignatureResult {
  const embedded = signature.getElementsByTagNameNS(XMLDSIG_NS, 'X509Certificate')[0]?.textContent?.replace(/\s+/g, '');
  const embeddedPrint = embedded
    ? fingerprintOf(`-----BEGIN CERTIFICATE-----\n${embedded.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`)
    : undefined;
  const known = certificates.find((c) => embeddedPrint && fingerprintOf(c.pem) === embeddedPrint);
  if (known) {
    return bad(`The signature claims certificate "${known.name}" but does not verify with it: the signature value is wrong.`);
  }
  const subject = embeddedPrint ? ` (the signature names certificate ${embeddedPrint})` : '';
  const why = certificates.length === 0 ? 'no signing certificate is configured' : `it verifies with none of the ${certificates.length} configured certificates`;
  return { ok: false, error: { code: 'cap_unknown_signer', element: 'Signature', message: `The alert is signed by an unknown key${subject}: ${why}.` } };
}
