import type { CapAlert, CapInfo } from './types.js';

export interface CapSpeech { info: CapInfo; language: string; text: string }

/** `vi` and `vi-VN` in any case; a regional subtag other than VN is still Vietnamese. */
export const isVietnamese = (language: string): boolean => /^vi(-|$)/i.test(language.trim());

/**
 * Sentences for a speech engine: each line of the text is one (bulletins often put a figure per
 * line with no full stop, which a voice would run together), whitespace folded, a full stop added
 * where a line ends without punctuation.
 */
function sentences(text: string | undefined): string[] {
  return (text ?? '').split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .map((line) => (/[.!?…:;]["'”’)»]*$/.test(line) ? line : `${line}.`));
}

/**
 * What the loudspeakers say for an alert: its first Vietnamese info, read as headline, description
 * and instruction. The first, because later info blocks in the same language "may expand but may
 * not override" earlier ones (CAP 1.2 §3.2.2). The event
 * name stands in for a missing headline so the listener hears what it is about. `null` when no info
 * is in Vietnamese: a foreign-language text is not read to a Vietnamese village.
 */
export function pickSpeech(alert: CapAlert): CapSpeech | null {
  const info = alert.info.find((i) => isVietnamese(i.language));
  if (!info) return null;
  const parts = [info.headline ?? info.event, info.description, info.instruction].flatMap(sentences);
  return { info, language: info.language, text: parts.join(' ') };
}
