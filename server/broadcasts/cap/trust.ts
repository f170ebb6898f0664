import type { CapAlert, CapInfo, Category, Certainty, Severity, Urgency } from './types.js';

/** Limits on what a trusted sender may air unattended; a list left out does not limit. */
export interface AutoAirConditions {
  severity?: readonly Severity[];
  urgency?: readonly Urgency[];
  certainty?: readonly Certainty[];
  category?: readonly Category[];
}

/** One entry of a commune's trust list. */
export interface TrustedSender {
  /** CAP `sender`, compared without regard to case. */
  sender: string;
  /** Names of configured certificates that may sign for this sender. Set, an alert airs
   * unattended only with a valid signature by one of them. */
  certificates?: readonly string[];
  conditions?: AutoAirConditions;
}

export type SignatureCheck = { status: 'unsigned' } | { status: 'valid'; signer: string };

export type AiringAction =
  | 'auto-air' | 'auto-cancel' | 'needs-confirmation' | 'test-only' | 'never-air' | 'kept-not-aired';

export interface AiringDecision {
  action: AiringAction;
  /** For programs: why, in one word. */
  reason:
    | 'draft' | 'system' | 'not-an-alert' | 'test' | 'exercise' | 'expired' | 'no-zone' | 'not-public'
    | 'untrusted-sender' | 'unsigned' | 'other-signer' | 'conditions-not-met' | 'foreign-reference' | 'trusted';
  message: string;
}

export interface AiringInput {
  alert: CapAlert;
  /** The zones `matchZones` found for the alert. */
  zoneIds: readonly string[];
  signature: SignatureCheck;
  trusted: readonly TrustedSender[];
  now: number;
}

const unmet = (info: CapInfo, c: AutoAirConditions): string | undefined => {
  if (c.severity && !c.severity.includes(info.severity)) return `severity ${info.severity}`;
  if (c.urgency && !c.urgency.includes(info.urgency)) return `urgency ${info.urgency}`;
  if (c.certainty && !c.certainty.includes(info.certainty)) return `certainty ${info.certainty}`;
  if (c.category && !info.category.some((k) => c.category!.includes(k))) return `category ${info.category.join('/')}`;
  return undefined;
};

/** Whether the sender is trusted and proved it as the trust list asks; the reason when not. */
function vouched(alert: CapAlert, signature: SignatureCheck, trusted: readonly TrustedSender[]):
  { entry: TrustedSender } | AiringDecision {
  const entry = trusted.find((t) => t.sender.toLowerCase() === alert.sender.toLowerCase());
  if (!entry) {
    return { action: 'needs-confirmation', reason: 'untrusted-sender', message: `${alert.sender} is not on the commune's list of trusted senders; a person must confirm before it is acted on.` };
  }
  if (entry.certificates) {
    if (signature.status === 'unsigned') {
      return { action: 'needs-confirmation', reason: 'unsigned', message: `The alert from ${alert.sender} is not signed, and the trust list expects its signature; a person must confirm.` };
    }
    if (!entry.certificates.includes(signature.signer)) {
      return { action: 'needs-confirmation', reason: 'other-signer', message: `The alert from ${alert.sender} is signed with certificate "${signature.signer}", which the trust list does not give this sender; a person must confirm.` };
    }
  }
  return { entry };
}

/**
 * What a commune does with an alert: air it unattended, wait for a person, play it only on test
 * gateways, or keep it without airing. Anything short of a trusted, in-scope, in-date Actual alert
 * for at least one hamlet waits for a person or does not air.
 */
export function decideAiring({ alert, zoneIds, signature, trusted, now }: AiringInput): AiringDecision {
  const { status, msgType } = alert;
  if (status === 'Draft' || status === 'System') {
    return { action: 'never-air', reason: status === 'Draft' ? 'draft' : 'system', message: `A ${status} message is not for the public (CAP 1.2 §3.2.1); it is never aired.` };
  }
  if (msgType === 'Ack' || msgType === 'Error') {
    return { action: 'never-air', reason: 'not-an-alert', message: `An ${msgType} answers another message; there is nothing to announce.` };
  }
  if (status === 'Test' || status === 'Exercise') {
    return { action: 'test-only', reason: status === 'Test' ? 'test' : 'exercise', message: `A ${status} alert never reaches the public loudspeakers; it may play only on gateways marked for testing.` };
  }
  const who = vouched(alert, signature, trusted);
  if (msgType === 'Cancel') {
    if ('action' in who) return who;
    const foreign = alert.references.find((r) => r.sender.toLowerCase() !== alert.sender.toLowerCase());
    if (foreign) {
      return { action: 'needs-confirmation', reason: 'foreign-reference', message: `${alert.sender} cancels an alert sent by ${foreign.sender}; a person must confirm.` };
    }
    return { action: 'auto-cancel', reason: 'trusted', message: `${alert.sender} cancels its own alert; what it referred to is stopped.` };
  }
  if (alert.scope !== 'Public') {
    return { action: 'needs-confirmation', reason: 'not-public', message: `The alert's scope is ${alert.scope}, not Public; a person decides whether the village hears it.` };
  }
  if (alert.info.length > 0 && alert.info.every((i) => i.expiresAt !== undefined && i.expiresAt <= now)) {
    return { action: 'kept-not-aired', reason: 'expired', message: 'Every part of the alert has expired; it is kept and not aired.' };
  }
  if (zoneIds.length === 0) {
    return { action: 'kept-not-aired', reason: 'no-zone', message: "The alert's areas cover none of the commune's hamlets; it is kept and not aired." };
  }
  if ('action' in who) return who;
  for (const info of alert.info) {
    const miss = who.entry.conditions && unmet(info, who.entry.conditions);
    if (miss) {
      return { action: 'needs-confirmation', reason: 'conditions-not-met', message: `${alert.sender} airs unattended only under its conditions, and this alert has ${miss}; a person must confirm.` };
    }
  }
  return { action: 'auto-air', reason: 'trusted', message: `${alert.sender} is trusted for this alert; it airs on ${zoneIds.length} hamlet${zoneIds.length === 1 ? '' : 's'}.` };
}
