import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCapAlert } from '../../server/broadcasts/cap/parse.js';
import type { CapAlert } from '../../server/broadcasts/cap/types.js';

const dir = fileURLToPath(new URL('../fixtures/cap/', import.meta.url));

export const fixture = (name: string): string => readFileSync(`${dir}${name}`, 'utf8');

/** A fixture that must parse; the test fails with the parser's error if it does not. */
export function alertOf(nameOrXml: string): CapAlert {
  const xml = nameOrXml.trimStart().startsWith('<') ? nameOrXml : fixture(nameOrXml);
  const r = parseCapAlert(xml);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.alert;
}
