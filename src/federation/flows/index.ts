/**
 * The federation flows (issue 8 items 2–4) over a FederationPort: name pointers, PSI sessions, hits,
 * follow-up requests with handling enforcement, deconfliction — behind `FederationService`, attached
 * to a node's port with `wireFlows(port, service)`.
 */
export { FederationService, wireFlows, FLOW_MESSAGE_TYPES, type AnswerView, type FederationInbox, type FederationServiceOptions, type FlowMessageType, type MatchResult, type SubjectInput } from './service.js';
export { DEFAULT_THRESHOLD, DEFAULT_WITHHELD_CATEGORIES, FEDERATION_ACTOR, type ContactPoint, type FederationOptions, type LinkageAgreement } from './context.js';
export { admits, partyOf, receiptVerdict, releaseVerdict, type HandlingRefusal, type Party, type Verdict } from './handling.js';
export { POINTERS_PER_MESSAGE, type PublishSummary } from './pointers.js';
export type { ReleaseResult, RequestView } from './requests.js';
export { COLLECTIONS as FEDERATION_COLLECTIONS, type AnswerRecord, type DeconflictionRecord, type HitRecord, type LocalSubject, type PartnerSet, type PsiSessionRecord, type ReceivedRecord, type ReleasedRecord, type RequestRecord } from './records.js';
export { deferredPort } from './deferred-port.js';
