import { CapParseError, Fields, fail, splitQuoted, within } from './fields.js';
import { readInfo } from './parse-info.js';
import { parseCapTime } from './time.js';
import {
  CAP_NS, MsgType, Scope, Status, XMLDSIG_NS, type CapAlert, type CapError, type CapReference,
} from './types.js';
import { readXml } from './xml.js';

const ALERT = [
  'identifier', 'sender', 'sent', 'status', 'msgType', 'source', 'scope', 'restriction', 'addresses', 'code',
  'note', 'references', 'incidents', 'info',
] as const;

export type ParseResult = { ok: true; alert: CapAlert } | { ok: false; error: CapError };

/** CAP 1.2 §3.2.1: identifier and sender "MUST NOT include spaces, commas or restricted characters (< and &)". */
function checkId(name: 'identifier' | 'sender', value: string): string {
  const bad = /[\s,<&]/.exec(value);
  if (bad) {
    const what = /\s/.test(bad[0]) ? 'a space' : `"${bad[0]}"`;
    fail('cap_invalid_value', name, `${name} "${value}" contains ${what}; CAP 1.2 §3.2.1 forbids spaces, commas, < and &.`);
  }
  return value;
}

/** `references`: whitespace-separated `sender,identifier,sent` (CAP 1.2 §3.2.1). Only the format. */
function readReferences(text: string | undefined): CapReference[] {
  if (text === undefined) return [];
  return text.split(/\s+/).map((entry) => {
    const parts = entry.split(',');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      fail('cap_invalid_value', 'references', `references entry "${entry}" is not "sender,identifier,sent" (CAP 1.2 §3.2.1).`);
    }
    const [sender, identifier, sent] = parts;
    const t = parseCapTime(sent);
    if (!t.ok) fail('cap_bad_time', 'references', `references entry "${entry}": its sent time "${sent}" ${t.reason}.`);
    return { sender, identifier, sent, sentAt: t.at };
  });
}

/**
 * Reads and checks one CAP 1.2 alert. Pure: the answer depends on the text alone. Checks what the
 * specification requires and the values it allows; element order is not checked.
 */
export function parseCapAlert(xml: string): ParseResult {
  const doc = readXml(xml);
  if (!doc.ok) return doc;
  const root = doc.root;
  if (root.name !== 'alert') {
    return { ok: false, error: { code: 'cap_wrong_root', element: root.name, message: `The root element is <${root.name}>; a CAP message is an <alert>.` } };
  }
  if (root.ns !== CAP_NS) {
    const found = root.ns ? `"${root.ns}"` : 'no namespace';
    const older = /^urn:oasis:names:tc:emergency:cap:1\.[01]$/.test(root.ns) ? ' (an older CAP version, not accepted)' : '';
    return { ok: false, error: { code: 'cap_wrong_namespace', element: 'alert', message: `<alert> is in ${found}${older}; CAP 1.2 alerts are in "${CAP_NS}".` } };
  }
  try {
    return { ok: true, alert: readAlert(new Fields(root, ALERT, { path: '', where: '' }, [XMLDSIG_NS])) };
  } catch (e) {
    if (e instanceof CapParseError) return { ok: false, error: e.error };
    throw e;
  }
}

function readAlert(f: Fields): CapAlert {
  // Checked in the order of the schema, so the first error reported is the first in the document.
  const identifier = checkId('identifier', f.required('identifier', '§3.2.1'));
  const sender = checkId('sender', f.required('sender', '§3.2.1'));
  const sent = f.required('sent', '§3.2.1');
  const sentAt = f.time('sent', sent);
  const status = f.value(Status, f.required('status', '§3.2.1'), 'status');
  const msgType = f.value(MsgType, f.required('msgType', '§3.2.1'), 'msgType');
  const scope = f.value(Scope, f.required('scope', '§3.2.1'), 'scope');
  const restriction = f.optional('restriction');
  if (scope === 'Restricted' && restriction === undefined) {
    fail('cap_missing_element', 'restriction', 'A Restricted alert must say its restriction (CAP 1.2 §3.2.1).');
  }
  const addresses = splitQuoted(f.optional('addresses'));
  if (scope === 'Private' && addresses.length === 0) {
    fail('cap_missing_element', 'addresses', 'A Private alert must list its addresses (CAP 1.2 §3.2.1).');
  }
  const referencesText = f.optional('references');
  if (referencesText === undefined && (msgType === 'Update' || msgType === 'Cancel')) {
    fail('cap_missing_element', 'references', `An ${msgType} must name the alerts it replaces in references (CAP 1.2 §3.2.1).`);
  }
  const references = readReferences(referencesText);
  const infos = f.elements('info');
  if (msgType === 'Alert' && infos.length === 0) {
    fail('cap_missing_element', 'info', 'An Alert has no info; this system needs at least one to know what to announce, where and how urgently.');
  }
  const optional = (name: 'source' | 'note') => {
    const v = f.optional(name);
    return v === undefined ? {} : { [name]: v };
  };
  return {
    identifier,
    sender,
    sent,
    sentAt,
    status,
    msgType,
    ...optional('source'),
    scope,
    ...(restriction !== undefined && { restriction }),
    addresses,
    code: f.all('code'),
    ...optional('note'),
    references,
    incidents: splitQuoted(f.optional('incidents')),
    info: infos.map((el, i) => readInfo(el, within(f.place, 'info', i))),
  };
}

/** How an alert is named in `references` and in the set `resolveReferences` looks in. */
export const capKey = (a: { sender: string; identifier: string; sent: string }): string =>
  `${a.sender},${a.identifier},${a.sent}`;

/**
 * An Update or Cancel names earlier alerts; the parser checks only how they are written. This says
 * which of them the caller has never received (`known` holds `capKey` of each alert it has).
 */
export function resolveReferences(
  alert: CapAlert, known: ReadonlySet<string>,
): { ok: true; references: CapReference[] } | { ok: false; error: CapError; unknown: CapReference[] } {
  const unknown = alert.references.filter((r) => !known.has(capKey(r)));
  if (unknown.length === 0) return { ok: true, references: alert.references };
  const list = unknown.map((r) => `${r.identifier} from ${r.sender} sent ${r.sent}`).join('; ');
  return {
    ok: false,
    unknown,
    error: { code: 'cap_unknown_reference', element: 'references', message: `${alert.msgType} ${alert.identifier} refers to ${unknown.length === 1 ? 'an alert' : 'alerts'} never received: ${list}.` },
  };
}
