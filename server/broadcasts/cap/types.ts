import { z } from 'zod';

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

// The value lists of CAP 1.2 §3.2, in the order the specification gives them.
export const Status = z.enum(['Actual', 'Exercise', 'System', 'Test', 'Draft']);
export const MsgType = z.enum(['Alert', 'Update', 'Cancel', 'Ack', 'Error']);
export const Scope = z.enum(['Public', 'Restricted', 'Private']);
export const Category = z.enum([
  'Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other',
]);
export const ResponseType = z.enum([
  'Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None',
]);
export const Urgency = z.enum(['Immediate', 'Expected', 'Future', 'Past', 'Unknown']);
export const Severity = z.enum(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']);
export const Certainty = z.enum(['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown']);

export type Status = z.infer<typeof Status>;
export type MsgType = z.infer<typeof MsgType>;
export type Scope = z.infer<typeof Scope>;
export type Category = z.infer<typeof Category>;
export type ResponseType = z.infer<typeof ResponseType>;
export type Urgency = z.infer<typeof Urgency>;
export type Severity = z.infer<typeof Severity>;
export type Certainty = z.infer<typeof Certainty>;

/** One entry of `references`: the alert it names, as CAP writes it (`sender,identifier,sent`). */
export interface CapReference { sender: string; identifier: string; sent: string; sentAt: number }

/** `geocode`, `eventCode` and `parameter` are all a valueName and a value. */
export interface CapValuePair { valueName: string; value: string }

export interface CapPoint { lat: number; lon: number }
export interface CapCircle { center: CapPoint; radiusKm: number }

export interface CapArea {
  areaDesc: string;
  /** Each polygon keeps its closing point (first = last), as written. */
  polygon: CapPoint[][];
  circle: CapCircle[];
  geocode: CapValuePair[];
  /** Feet above mean sea level (CAP 1.2 §3.2.4). */
  altitude?: number;
  ceiling?: number;
}

export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  derefUri?: string;
  digest?: string;
}

export interface CapInfo {
  /** RFC 3066 tag; `en-US` when the element is absent (CAP 1.2 §3.2.2). */
  language: string;
  category: Category[];
  event: string;
  responseType: ResponseType[];
  urgency: Urgency;
  severity: Severity;
  certainty: Certainty;
  audience?: string;
  eventCode: CapValuePair[];
  effective?: string; effectiveAt?: number;
  onset?: string; onsetAt?: number;
  expires?: string; expiresAt?: number;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameter: CapValuePair[];
  resource: CapResource[];
  area: CapArea[];
}

export interface CapAlert {
  identifier: string;
  sender: string;
  /** As written, and as epoch milliseconds (UTC). */
  sent: string; sentAt: number;
  status: Status;
  msgType: MsgType;
  source?: string;
  scope: Scope;
  restriction?: string;
  /** Space-separated in the document; an address holding spaces is quoted there. */
  addresses: string[];
  code: string[];
  note?: string;
  references: CapReference[];
  incidents: string[];
  info: CapInfo[];
}

export type CapErrorCode =
  | 'cap_too_large'
  | 'cap_not_xml'
  | 'cap_doctype_refused'
  | 'cap_wrong_root'
  | 'cap_wrong_namespace'
  | 'cap_missing_element'
  | 'cap_repeated_element'
  | 'cap_unknown_element'
  | 'cap_invalid_value'
  | 'cap_bad_time'
  | 'cap_unknown_reference'
  | 'cap_bad_signature'
  | 'cap_unknown_signer'
  | 'cap_feed_unknown_format';

/** `element` is the element's path in the CAP schema (`info/area/polygon`), without positions. */
export interface CapError { code: CapErrorCode; message: string; element?: string }
