import type { z } from 'zod';
import { parseCapTime } from './time.js';
import { CAP_NS, type CapError, type CapErrorCode } from './types.js';
import type { XmlElement } from './xml.js';

/** Thrown inside the reader only; parseCapAlert turns it into its `{ok:false}` answer. */
export class CapParseError extends Error {
  constructor(readonly error: CapError) { super(error.message); }
}

export function fail(code: CapErrorCode, element: string | undefined, message: string): never {
  throw new CapParseError({ code, element, message });
}

/** Where an element sits: its schema path for programs, and words for people ("info 2, area 1"). */
export interface Place { path: string; where: string }

export const within = (place: Place, name: string, index: number): Place => ({
  path: place.path ? `${place.path}/${name}` : name,
  where: [place.where, `${name} ${index + 1}`].filter(Boolean).join(', '),
});

/** The CAP children of one element, grouped by name, with the rules of CAP 1.2 §3.2 for reading them. */
export class Fields {
  private readonly byName = new Map<string, XmlElement[]>();

  constructor(el: XmlElement, allowed: readonly string[], readonly place: Place, foreignNs: readonly string[] = []) {
    for (const child of el.children) {
      if (child.ns !== CAP_NS) {
        if (foreignNs.includes(child.ns)) continue;
        const name = child.ns ? `{${child.ns}}${child.name}` : child.name;
        fail('cap_unknown_element', this.path(child.name), `${this.at()} holds <${name}>, which is not in the CAP 1.2 namespace.`);
      }
      if (!allowed.includes(child.name)) {
        fail('cap_unknown_element', this.path(child.name), `${this.at()} holds <${child.name}>, which CAP 1.2 does not define there.`);
      }
      const list = this.byName.get(child.name) ?? [];
      list.push(child);
      this.byName.set(child.name, list);
    }
  }

  path(name: string): string { return this.place.path ? `${this.place.path}/${name}` : name; }
  at(): string { return this.place.where || 'The alert'; }
  private label(name: string): string { return this.place.where ? `${name} of ${this.place.where}` : name; }

  elements(name: string): XmlElement[] { return this.byName.get(name) ?? []; }

  private textOf(el: XmlElement): string {
    if (el.children.length > 0) {
      fail('cap_invalid_value', this.path(el.name), `${this.label(el.name)} must hold text, not elements such as <${el.children[0].name}>.`);
    }
    return el.text.trim();
  }

  /** Absent or empty gives undefined; twice is refused (the schema says at most once). */
  optional(name: string): string | undefined {
    const list = this.elements(name);
    if (list.length > 1) fail('cap_repeated_element', this.path(name), `${this.label(name)} appears ${list.length} times; CAP 1.2 allows it once.`);
    const text = list.length ? this.textOf(list[0]) : '';
    return text === '' ? undefined : text;
  }

  required(name: string, section: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      const why = this.elements(name).length ? 'is empty' : 'is missing';
      fail('cap_missing_element', this.path(name), `${this.label(name)} ${why}; CAP 1.2 ${section} requires it.`);
    }
    return value;
  }

  all(name: string): string[] {
    return this.elements(name).map((el) => this.textOf(el)).filter((t) => t !== '');
  }

  /** One value of a CAP list (urgency, status…), named with the values allowed when wrong. */
  value<T extends string>(schema: z.ZodEnum<{ [K in T]: K }>, text: string, name: string): T {
    const parsed = schema.safeParse(text);
    if (!parsed.success) {
      fail('cap_invalid_value', this.path(name), `${this.label(name)} is "${text}"; CAP 1.2 allows ${schema.options.join(', ')}.`);
    }
    return parsed.data as T;
  }

  time(name: string, text: string): number {
    const t = parseCapTime(text);
    if (!t.ok) fail('cap_bad_time', this.path(name), `${this.label(name)} "${text}" ${t.reason}.`);
    return t.at;
  }

  /** An optional time element as the pair the typed result carries. */
  optionalTime(name: string): { text?: string; at?: number } {
    const text = this.optional(name);
    return text === undefined ? {} : { text, at: this.time(name, text) };
  }

  number(name: string, text: string): number {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) fail('cap_invalid_value', this.path(name), `${this.label(name)} "${text}" is not a number.`);
    return Number(text);
  }

  integer(name: string, text: string): number {
    if (!/^\d+$/.test(text)) fail('cap_invalid_value', this.path(name), `${this.label(name)} "${text}" is not a whole number.`);
    return Number(text);
  }
}

/**
 * CAP's space-separated lists (`addresses`, `incidents`): an entry holding spaces is in double
 * quotes (CAP 1.2 §3.2.1).
 */
export function splitQuoted(text: string | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]).filter((s) => s !== '');
}
