/** MQTT topic contract shared by the server and the gateway agent. */
export const PREFIX = 'loalang/v1';

/** Device ids are topic segments, so they must never contain `+`, `#` or `/`. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;

export type DeviceChannel = 'manifest' | 'cmd' | 'alert' | 'state' | 'telemetry' | 'event';

export const topics = {
  manifest: (id: string) => `${PREFIX}/dev/${id}/manifest`,
  cmd: (id: string) => `${PREFIX}/dev/${id}/cmd`,
  /**
   * Emergency alerts, server → device, retained, one topic per broadcast: a gateway that reconnects
   * before expiry gets every alert still in force, and clearing one never touches another.
   */
  alert: (id: string, broadcastId: string) => `${PREFIX}/dev/${id}/alert/${broadcastId}`,
  /** What a gateway subscribes to for its alerts: the one wildcard subscription a device may make. */
  alerts: (id: string) => `${PREFIX}/dev/${id}/alert/+`,
  state: (id: string) => `${PREFIX}/dev/${id}/state`,
  telemetry: (id: string) => `${PREFIX}/dev/${id}/telemetry`,
  event: (id: string) => `${PREFIX}/dev/${id}/event`,
  serverState: `${PREFIX}/server/state`,
  /** Subscriptions the server itself makes. */
  allDevices: (channel: DeviceChannel) => `${PREFIX}/dev/+/${channel}`,
} as const;

const CHANNELS: ReadonlySet<string> = new Set(['manifest', 'cmd', 'alert', 'state', 'telemetry', 'event']);

/** Whether `topic` is one of a device's alert topics (`…/dev/{id}/alert/{broadcastId}`). */
export const isAlertTopic = (id: string, topic: string) => topic.startsWith(`${PREFIX}/dev/${id}/alert/`) && topic.split('/').length === 6;

/** Splits `loalang/v1/dev/{id}/{channel}`; returns null for anything else. */
export function parseDeviceTopic(topic: string): { deviceId: string; channel: DeviceChannel } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== PREFIX || parts[2] !== 'dev') return null;
  const [, , , deviceId, channel] = parts;
  if (!DEVICE_ID_PATTERN.test(deviceId) || !CHANNELS.has(channel)) return null;
  return { deviceId, channel: channel as DeviceChannel };
}
