import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Ed25519 signatures in worker threads, a batch per message. A schedule change signs a manifest
 * for every gateway: handing each signature to libuv's thread pool on its own costs the event loop
 * almost a third of the signature again, while four pool threads crowd out the event loop on a
 * small machine. Batches keep both off the event loop, which meanwhile stores and publishes the
 * batch signed before.
 *
 * The signatures are libsodium's (sodium-native) when it loads: Ed25519 is deterministic, so they
 * are the very bytes node:crypto would make — checked once per thread, which falls back to
 * node:crypto otherwise — at about 21 µs each instead of 45–60 µs through OpenSSL 3's per-call
 * set-up. At 10,000 gateways that is 0.3 s less CPU on a machine whose two cores also run the broker.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { sign } = require('node:crypto');
const viaNode = (p) => sign(null, p, workerData.key);
let signOne = viaNode;
try {
  const sodium = workerData.sodium && require(workerData.sodium);
  if (sodium) {
    const jwk = workerData.key.export({ format: 'jwk' });
    const pk = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES), sk = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_seed_keypair(pk, sk, Buffer.from(jwk.d, 'base64url'));
    const viaSodium = (p) => {
      const sig = Buffer.allocUnsafe(sodium.crypto_sign_BYTES);
      sodium.crypto_sign_detached(sig, p, sk);
      return sig;
    };
    const probe = Buffer.from('loa-lang signer self-check');
    if (pk.toString('base64url') === jwk.x && viaSodium(probe).equals(viaNode(probe))) signOne = viaSodium;
  }
} catch {}
parentPort.postMessage({ ready: signOne === viaNode ? 'node:crypto' : 'libsodium' });
parentPort.on('message', ({ id, payloads }) => {
  try {
    parentPort.postMessage({ id, sigs: payloads.map((p) => signOne(typeof p === 'string' ? Buffer.from(p, 'utf8') : p).toString('base64')) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});`;

/** Where sodium-native is, for the signing threads (which are not modules and resolve nothing themselves); undefined when absent. */
const sodiumPath = (() => {
  try {
    return createRequire(import.meta.url).resolve('sodium-native');
  } catch {
    return undefined;
  }
})();

export interface BatchSigner {
  /**
   * Base64 Ed25519 signatures of each payload's UTF-8 bytes, in order. A Buffer that owns its memory
   * is moved to the worker, not copied: it is unusable here afterwards.
   */
  sign(payloads: (string | Buffer)[]): Promise<string[]>;
  /** Starts the threads now, so the first change after start does not wait for them (and their key). */
  warm(): void;
  /** `libsodium` or `node:crypto`, once a thread has started; undefined before. */
  readonly engine: string | undefined;
  close(): Promise<void>;
}

export function createBatchSigner(privateKey: KeyObject, threads = Math.min(4, Math.max(1, availableParallelism() - 1))): BatchSigner {
  type Waiting = { resolve: (sigs: string[]) => void; reject: (err: Error) => void };
  let workers: { thread: Worker; waiting: Map<number, Waiting> }[] = [];
  let nextId = 0;
  /** Which implementation the threads sign with, once one has said. */
  let engine: string | undefined;
  const spawn = () => {
    const w = { thread: new Worker(WORKER, { eval: true, execArgv: [], workerData: { key: privateKey, sodium: sodiumPath } }), waiting: new Map<number, Waiting>() };
    w.thread.unref();
    w.thread.on('message', ({ id, sigs, error, ready }: { id: number; sigs?: string[]; error?: string; ready?: string }) => {
      if (ready) return void (engine = ready);
      const p = w.waiting.get(id);
      w.waiting.delete(id);
      if (error) p?.reject(new Error(`signing failed: ${error}`));
      else p?.resolve(sigs!);
    });
    // A worker that dies fails what it held; the next batch starts a fresh one.
    const fail = (err: Error) => {
      workers = workers.filter((x) => x !== w);
      for (const p of w.waiting.values()) p.reject(err);
      w.waiting.clear();
    };
    w.thread.on('error', fail);
    w.thread.on('exit', (code) => fail(new Error(`signing worker exited with code ${code}`)));
    return w;
  };
  const send = (w: ReturnType<typeof spawn>, payloads: (string | Buffer)[]) => new Promise<string[]>((resolve, reject) => {
    const id = nextId++;
    w.waiting.set(id, { resolve, reject });
    const owned = payloads.flatMap((p) => (typeof p !== 'string' && p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? [p.buffer as ArrayBuffer] : []));
    w.thread.postMessage({ id, payloads }, owned);
  });
  const warm = () => {
    while (workers.length < threads) workers.push(spawn());
  };
  return {
    warm,
    get engine() {
      return engine;
    },
    async sign(payloads) {
      if (!payloads.length) return [];
      warm();
      const per = Math.ceil(payloads.length / workers.length);
      const parts = await Promise.all(workers.map((w, k) => send(w, payloads.slice(k * per, (k + 1) * per))));
      return parts.flat();
    },
    async close() {
      const all = workers;
      workers = [];
      await Promise.all(all.map((w) => w.thread.terminate()));
    },
  };
}
