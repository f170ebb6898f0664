export { parseCapAlert, resolveReferences, capKey, type ParseResult } from './parse.js';
export { readCapAlert, type ReadResult } from './read.js';
export { verifyCapSignature, type SignatureResult, type TrustedCertificate } from './signature.js';
export { matchZones, explainZones, areasOf, type ZoneCodes, type GatewayPlace, type ZoneMatch } from './area.js';
export { distanceKm, inCircle, inPolygon } from './geo.js';
export { pickSpeech, isVietnamese, type CapSpeech } from './speech.js';
export {
  decideAiring, type AiringAction, type AiringDecision, type AiringInput, type AutoAirConditions, type SignatureCheck,
  type TrustedSender,
} from './trust.js';
export { parseCapFeed, type FeedEntry, type FeedResult, type FeedSkip } from './feed.js';
export { parseCapTime } from './time.js';
export * from './types.js';
