import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { alert, command, envelope, manifest, type Alert, type Command, type Envelope, type Manifest } from './schemas.js';

export interface SigningKeys {
  privateKey: KeyObject;
  /** SPKI PEM: what devices pin at provisioning. */
  publicKeyPem: string;
}

export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function loadSigningKeys(privateKeyPem: string): SigningKeys {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem };
}

/** Ed25519 over the exact payload bytes, so verification never depends on re-serialisation. */
export function signPayload(value: unknown, privateKey: KeyObject): Envelope {
  const payload = JSON.stringify(value);
  const sig = sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64');
  return { payload, sig };
}

export type Verified<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parsing a PEM key costs more than verifying with it: each pinned key is parsed once. */
const publicKeys = new Map<string, KeyObject>();
function publicKey(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

/** Parses an envelope, checks its signature against the pinned key, then validates the payload. */
export function openEnvelope<T>(raw: Buffer | string, publicKeyPem: string, parse: (v: unknown) => T): Verified<T> {
  let env: Envelope;
  try {
    env = envelope.parse(JSON.parse(raw.toString()));
  } catch {
    return { ok: false, reason: 'envelope is not valid JSON {payload, sig}' };
  }
  let good = false;
  try {
    good = verify(null, Buffer.from(env.payload, 'utf8'), publicKey(publicKeyPem), Buffer.from(env.sig, 'base64'));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'bad signature' };
  try {
    return { ok: true, value: parse(JSON.parse(env.payload)) };
  } catch (err) {
    return { ok: false, reason: `payload does not match the schema: ${(err as Error).message.slice(0, 200)}` };
  }
}

export const openManifest = (raw: Buffer | string, publicKeyPem: string): Verified<Manifest> =>
  openEnvelope(raw, publicKeyPem, (v) => manifest.parse(v));

export const openCommand = (raw: Buffer | string, publicKeyPem: string): Verified<Command> =>
  openEnvelope(raw, publicKeyPem, (v) => command.parse(v));

export const openAlert = (raw: Buffer | string, publicKeyPem: string): Verified<Alert> =>
  openEnvelope(raw, publicKeyPem, (v) => alert.parse(v));
