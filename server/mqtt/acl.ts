import { DEVICE_ID_PATTERN, topics } from '../../devices/protocol/index.js';

/** The server's own MQTT identity. `$` cannot occur in a device id, so no device can claim it. */
export const SERVER_USERNAME = '$loalang-server';

export type Principal = { kind: 'server' } | { kind: 'device'; id: string };

/**
 * The one ACL function behind the embedded broker's hooks and the external broker's HTTP hooks.
 * A device may publish only its own state/telemetry/event and subscribe only to its own
 * manifest/cmd and the server state, and to its own alerts with the one wildcard filter
 * `…/dev/{id}/alert/+` (a topic per emergency broadcast). Any other wildcard is refused.
 */
export function authorize(p: Principal, action: 'publish' | 'subscribe', topic: string): boolean {
  if (p.kind === 'server') return true;
  if (!DEVICE_ID_PATTERN.test(p.id)) return false;
  if (action === 'subscribe' && topic === topics.alerts(p.id)) return true;
  if (topic.includes('+') || topic.includes('#')) return false;
  if (action === 'publish') {
    return topic === topics.state(p.id) || topic === topics.telemetry(p.id) || topic === topics.event(p.id);
  }
  return topic === topics.manifest(p.id) || topic === topics.cmd(p.id) || topic === topics.serverState;
}
