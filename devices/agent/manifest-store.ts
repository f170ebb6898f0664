import { readFile } from 'node:fs/promises';
import { openManifest, type Manifest } from '../protocol/index.js';
import { writeFileAtomic } from './files.js';
import type { Reporter } from './reporter.js';

export type ManifestOutcome = 'applied' | 'unchanged' | 'rejected';

/**
 * The manifest in force, in `manifest.json`. A manifest is accepted only when signed by the pinned
 * key, meant for this device and newer than the one held, and only once it is stored on disk.
 */
export class ManifestStore {
  private current?: Manifest;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: {
    id: string;
    serverPublicKey: string;
    file: string;
    reporter: Pick<Reporter, 'event' | 'report'>;
    log: (msg: string, extra?: object) => void;
    /** A manifest was verified and stored: it is now the one to play. */
    accepted: (m: Manifest) => void;
  }) {}

  get version() {
    return this.current?.version ?? 0;
  }

  /** The manifest left by the last run, if it still verifies; it plays even if the broker is never reached. */
  async load(): Promise<Manifest | undefined> {
    const cached = await readFile(this.o.file, 'utf8').catch(() => null);
    if (!cached) return undefined;
    const opened = openManifest(cached, this.o.serverPublicKey);
    if (!opened.ok || opened.value.deviceId !== this.o.id) return undefined;
    this.current = opened.value;
    return opened.value;
  }

  /** Manifests are handled one at a time, so a quick v2, v3 can never be applied as v3, v2. */
  receive(raw: Buffer | string): Promise<ManifestOutcome> {
    const next = this.chain.then(() => this.handle(raw));
    this.chain = next.catch(() => {});
    return next;
  }

  private async handle(raw: Buffer | string): Promise<ManifestOutcome> {
    // An empty retained message clears the topic; it is not a manifest.
    if (raw.length === 0) return 'unchanged';
    const opened = openManifest(raw, this.o.serverPublicKey);
    let reason: string | undefined;
    if (!opened.ok) reason = opened.reason;
    else if (opened.value.deviceId !== this.o.id) reason = `manifest is for ${opened.value.deviceId}`;
    else if (opened.value.version < this.version) reason = `version ${opened.value.version} is older than ${this.version}`;
    else if (opened.value.version === this.version) return 'unchanged';
    if (reason || !opened.ok) {
      this.o.log('manifest rejected', { reason });
      await this.o.reporter.event({ type: 'manifest-rejected', version: opened.ok ? opened.value.version : undefined, reason: reason ?? 'invalid' });
      return 'rejected';
    }
    const m = opened.value;
    try {
      await writeFileAtomic(this.o.file, raw.toString());
    } catch (err) {
      // A failing disk, or no file handle left: refused and said so, the one in force stays, and the
      // broker delivers this retained manifest again at the next connection.
      this.o.log('manifest not stored', { version: m.version, err: String(err) });
      this.o.reporter.report({ type: 'manifest-rejected', version: m.version, reason: `could not store it: ${(err as Error).message}` });
      return 'rejected';
    }
    this.current = m;
    this.o.accepted(m);
    // Not queued on disk: the manifest came over the link just now, and telemetry repeats the version.
    this.o.reporter.report({ type: 'manifest-applied', version: m.version });
    return 'applied';
  }
}
