import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type OutputFile } from 'esbuild';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const ENTRIES = ['panel.ts', 'programs.ts', 'calendar.ts', 'map.ts', 'map.css', 'emergency.ts'];
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export interface Asset { body: Uint8Array; type: string }

let bundled: Promise<Map<string, Asset>> | undefined;

/**
 * The browser code (web/client, TypeScript) and the libraries it imports from node_modules, bundled by
 * esbuild in memory once per process, the first time anything asks. A fresh clone needs no build step:
 * `npm start` and `npm test` serve what the sources say.
 */
export function clientAssets(): Promise<Map<string, Asset>> {
  bundled ??= build({
    entryPoints: ENTRIES.map((f) => join(WEB_DIR, 'client', f)),
    bundle: true,
    write: false,
    outdir: '/out',
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    loader: { '.png': 'dataurl', '.svg': 'dataurl' },
    logLevel: 'silent',
  }).then((r) => new Map(r.outputFiles.map((f: OutputFile) => {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    return [name, { body: f.contents, type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream' }];
  })));
  bundled.catch(() => (bundled = undefined));
  return bundled;
}
