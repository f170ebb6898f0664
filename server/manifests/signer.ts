import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Ed25519 signatures in worker threads, a batch per message. A schedule change signs a manifest
 * for every gateway: one signature costs about 30 µs of CPU, and handing each to libuv's thread
 * pool on its own costs the event loop almost a third of that again, while four pool threads
 * crowd out the event loop on a small machine. Batches keep both off the event loop, which
 * meanwhile stores and publishes the batch signed before.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { sign } = require('node:crypto');
parentPort.on('message', ({ id, payloads }) => {
  try {
    parentPort.postMessage({ id, sigs: payloads.map((p) => sign(null, typeof p === 'string' ? Buffer.from(p, 'utf8') : p, workerData.key).toString('base64')) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err) });
  }
});`;

export interface BatchSigner {
  /**
   * Base64 Ed25519 signatures of each payload's UTF-8 bytes, in order. A Buffer that owns its memory
   * is moved to the worker, not copied: it is unusable here afterwards.
   */
  sign(payloads: (string | Buffer)[]): Promise<string[]>;
  close(): Promise<void>;
}

export function createBatchSigner(privateKey: KeyObject, threads = Math.min(4, Math.max(1, availableParallelism() - 1))): BatchSigner {
  type Waiting = { resolve: (sigs: string[]) => void; reject: (err: Error) => void };
  let workers: { thread: Worker; waiting: Map<number, Waiting> }[] = [];
  let nextId = 0;
  const spawn = () => {
    const w = { thread: new Worker(WORKER, { eval: true, execArgv: [], workerData: { key: privateKey } }), waiting: new Map<number, Waiting>() };
    w.thread.unref();
    w.thread.on('message', ({ id, sigs, error }: { id: number; sigs?: string[]; error?: string }) => {
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
  return {
    async sign(payloads) {
      if (!payloads.length) return [];
      while (workers.length < threads) workers.push(spawn());
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
