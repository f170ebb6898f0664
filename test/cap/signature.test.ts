import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignedXml } from 'xml-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapAlert } from '../../server/broadcasts/cap/read.js';
import { verifyCapSignature, type TrustedCertificate } from '../../server/broadcasts/cap/signature.js';
import { fixture } from './helpers.js';

interface KeyPair { key: string; cert: string }

let dir: string;
let kttv: KeyPair;
let stranger: KeyPair;

/** A self-signed RSA certificate, as a provincial hub would publish for its signing key. */
function selfSigned(name: string): KeyPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

/** An enveloped signature over the whole alert, as CAP 1.2 §3.3.4.1 describes. */
function sign(xml: string, signer: KeyPair, opts: { keyInfo?: string; xpath?: string; emptyUri?: boolean } = {}): string {
  const sig = new SignedXml({
    privateKey: signer.key,
    publicCert: opts.keyInfo ?? signer.cert,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: opts.xpath ?? '/*',
    isEmptyUri: opts.emptyUri ?? true,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cap-sig-'));
  kttv = selfSigned('canhbao.kttv.gov.vn');
  stranger = selfSigned('gia-mao.example');
});
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

const trusted = (): TrustedCertificate[] => [{ name: 'kttv-2026', pem: kttv.cert }];

describe('XML-DSig signatures on CAP alerts', () => {
  it('[CAP 1.2 §3.3.4.1] verifies an enveloped signature by a configured certificate and names it', () => {
    const r = verifyCapSignature(sign(fixture('flood-alert.xml'), kttv), trusted());
    expect(r).toMatchObject({ ok: true, status: 'valid', signer: 'kttv-2026' });
    if (r.ok && r.status === 'valid') {
      expect(r.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(r.signedXml).not.toContain('SignatureValue');
      expect(r.signedXml).toContain('KTTV-2026-LU-0042');
    }
  });

  it('[CAP 1.2 §3.3.4.1] reads a signed alert from what the signature covers', () => {
    const r = readCapAlert(sign(fixture('flood-alert.xml'), kttv), trusted());
    expect(r).toMatchObject({ ok: true, signature: { status: 'valid', signer: 'kttv-2026' } });
    if (r.ok) expect(r.alert.info[0].severity).toBe('Severe');
  });

  it('[XML-DSig §3.2] refuses an alert changed after signing (severity lowered) with cap_bad_signature', () => {
    const tampered = sign(fixture('flood-alert.xml'), kttv).replace('<severity>Severe</severity>', '<severity>Minor</severity>');
    const r = verifyCapSignature(tampered, trusted());
    expect(r).toMatchObject({ ok: false, error: { code: 'cap_bad_signature', element: 'Signature' } });
    if (!r.ok) expect(r.error.message).toMatch(/changed after it was signed/);
    expect(readCapAlert(tampered, trusted()).ok).toBe(false);
  });

  it('[XML-DSig §3.2] refuses an alert signed by a key none of the configured certificates holds with cap_unknown_signer', () => {
    // The stranger's signature carries the stranger's own certificate and is valid with it: a
    // certificate in KeyInfo is never trusted for itself.
    const r = verifyCapSignature(sign(fixture('flood-alert.xml'), stranger), trusted());
    expect(r).toMatchObject({ ok: false, error: { code: 'cap_unknown_signer' } });
    if (!r.ok) expect(r.error.message).toMatch(/unknown key/);
  });

  it('with no certificate configured, takes every signed alert as signed by someone unknown', () => {
    const r = verifyCapSignature(sign(fixture('flood-alert.xml'), stranger), []);
    expect(r).toMatchObject({ ok: false, error: { code: 'cap_unknown_signer' } });
    if (!r.ok) expect(r.error.message).toMatch(/no signing certificate is configured/);
  });

  it('refuses a signature that claims the trusted certificate but was made with another key', () => {
    const forged = sign(fixture('flood-alert.xml'), stranger, { keyInfo: kttv.cert });
    const r = verifyCapSignature(forged, trusted());
    expect(r).toMatchObject({ ok: false, error: { code: 'cap_bad_signature' } });
    if (!r.ok) expect(r.error.message).toContain('kttv-2026');
  });

  it('reports an alert without a signature as unsigned, leaving the decision to the trust policy', () => {
    expect(verifyCapSignature(fixture('flood-alert.xml'), trusted())).toEqual({ ok: true, status: 'unsigned' });
    expect(readCapAlert(fixture('flood-alert.xml'), trusted())).toMatchObject({ ok: true, signature: { status: 'unsigned' } });
  });

  it('[CAP 1.2 §3.3.4.1] refuses a signature that covers only part of the alert (signature wrapping)', () => {
    const partial = sign(fixture('flood-alert.xml'), kttv, { xpath: "//*[local-name(.)='info'][1]", emptyUri: false });
    const r = verifyCapSignature(partial, trusted());
    expect(r).toMatchObject({ ok: false, error: { code: 'cap_bad_signature' } });
    if (!r.ok) expect(r.error.message).toMatch(/URI=""/);
  });

  it('[CAP 1.2 §3.3.4.1] refuses a document with two signatures', () => {
    const once = sign(fixture('flood-alert.xml'), kttv);
    const sigEl = once.slice(once.indexOf('<Signature'), once.indexOf('</Signature>') + '</Signature>'.length);
    const twice = once.replace('</alert>', `${sigEl}</alert>`);
    expect(verifyCapSignature(twice, trusted())).toMatchObject({ ok: false, error: { code: 'cap_bad_signature' } });
  });

  it('refuses a signed document with a DOCTYPE before any XML-DSig processing', () => {
    const signed = sign(fixture('flood-alert.xml'), kttv);
    const withDoctype = signed.replace('<alert', '<!DOCTYPE alert [<!ENTITY x "y">]><alert');
    expect(verifyCapSignature(withDoctype, trusted())).toMatchObject({ ok: false, error: { code: 'cap_doctype_refused' } });
  });
});
