import { z } from 'zod';
import { AgencyId, CaseId, Grading, invalid } from '../model/index.js';

/**
 * Watchlist vocabulary, after the Schengen Information System (Regulation (EU) 2018/1862): the threat
 * assessment (level, reasons, grading) is kept apart from the action to take on encounter (Art. 36:
 * discreet, inquiry or specific check; Art. 26: arrest), an alert has a review date (Art. 53: one year
 * for checks) and is reviewed before it lapses.
 */
export const ENCOUNTER_ACTIONS = ['discreet-check', 'inquiry-check', 'specific-check', 'arrest'] as const;
export const EncounterAction = z.enum(ENCOUNTER_ACTIONS);
export type EncounterAction = z.infer<typeof EncounterAction>;

/** Kinds of exact selector screening matches (never missed: looked up in hash maps). */
export const SELECTOR_KINDS = ['document', 'phone', 'imei', 'plate', 'vin', 'firearm', 'email', 'entity'] as const;
export const SelectorKind = z.enum(SELECTOR_KINDS);
export type SelectorKind = z.infer<typeof SelectorKind>;

export const Selector = z.object({ kind: SelectorKind, value: z.string().min(1).max(200) });
export type Selector = z.infer<typeof Selector>;

/** What an alert is about: resolved entities plus the names, dates of birth and selectors screened. */
export const AlertSubject = z.object({
  /** Resolved entities (person, phone, document, vehicle…) the alert points at. */
  entityIds: z.array(z.string()).max(50).default([]),
  /** Names and aliases in any script (compared transliteration-aware). */
  names: z.array(z.string().min(1).max(300)).max(50).default([]),
  /** Dates of birth, YYYY[-MM[-DD]]. */
  birthDates: z.array(z.string()).max(10).default([]),
  selectors: z.array(Selector).max(200).default([]),
});
export type AlertSubject = z.infer<typeof AlertSubject>;

export const ALERT_STATUSES = ['active', 'removal-pending', 'delisted'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One documented step in an alert's life (SIS: every change is traceable to a person and a reason). */
export interface AlertEvent {
  readonly at: string;
  readonly by: string;
  readonly kind: 'created' | 'extended' | 'reassessed' | 'removal-requested' | 'removal-approved' | 'removal-rejected';
  readonly assessment?: string;
  readonly changes?: Readonly<Record<string, unknown>>;
}

/** A watchlist entry as stored. */
export interface Alert {
  readonly id: string;
  /** Issuing agency: the owner, whose inbox receives every hit. */
  readonly agency: string;
  readonly caseId: string;
  readonly subject: AlertSubject;
  readonly threatLevel: string;
  readonly reasons: string;
  readonly grading: Grading;
  readonly action: EncounterAction;
  readonly createdBy: string;
  readonly createdAt: string;
  /** The alert lapses (and must be reviewed) on this date. */
  readonly reviewBy: string;
  readonly status: AlertStatus;
  /** Set on removal: the end of the post-delisting quiet watch. */
  readonly delistedAt?: string;
  readonly quietUntil?: string;
  /** A pending removal: who asked and the documented re-assessment. */
  readonly removal?: { readonly requestedBy: string; readonly requestedAt: string; readonly assessment: string };
  /** Bumped when the subject changes: false-positive decisions are tied to a version of the data. */
  readonly version: number;
  readonly history: readonly AlertEvent[];
}

/** Input for a new alert (the service fills the owner from the issuing principal). */
export const AlertInput = z.object({
  agency: AgencyId,
  caseId: CaseId,
  subject: AlertSubject,
  threatLevel: z.string().min(1),
  reasons: z.string().trim().min(10, 'state the reasons for the alert (at least 10 characters)').max(5000),
  grading: Grading,
  action: EncounterAction,
  /** YYYY-MM-DD; default one year from now. */
  reviewBy: z.iso.date().optional(),
});
export type AlertInput = z.input<typeof AlertInput>;

/** Watchlist settings (validated once, passed in). */
export const WatchConfig = z.object({
  /** Threat levels, lowest first. Default: 16 levels like the French fiche S ("S1".."S16"). */
  threatLevels: z.array(z.string().min(1)).min(2).default(Array.from({ length: 16 }, (_, i) => `S${i + 1}`)),
  /** Validity of an alert before review (months). */
  reviewMonths: z.number().int().min(1).max(60).default(12),
  /** The owner is warned this many months before expiry. */
  warnMonths: z.number().int().min(0).max(24).default(4),
  /** Post-delisting quiet watch (years). */
  quietYears: z.number().min(0).max(20).default(3),
  /** Minimum score for a fuzzy (name/date) hit. Exact selector matches always hit. */
  hitThreshold: z.number().min(0.3).max(1).default(0.7),
  /** A re-assessment must say something: minimum characters. */
  minAssessment: z.number().int().min(1).default(20),
});
export type WatchConfig = z.infer<typeof WatchConfig>;

/** Parses watch settings (throws CONFIG-like VALIDATION errors naming the field). */
export function watchConfig(input: unknown = {}): WatchConfig {
  const parsed = WatchConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.message, 'watch config', issue.path.join('.'));
  }
  return Object.freeze(parsed.data);
}

/** One field that contributed to a hit. */
export interface MatchedField {
  readonly field: 'name' | 'birthDate' | SelectorKind;
  readonly recordValue: string;
  readonly alertValue: string;
  readonly score: number;
  readonly how: string;
}

/**
 * What a person decides on a hit: it is the subject (`confirmed`), it is not (`false-positive`), more
 * information is needed first (`needs-info`), or the decision belongs to a supervisor (`escalated`:
 * the hit waits in the agency's supervisors' queue with the reason; only a supervisor decides it next).
 */
export const HIT_DECISIONS = ['confirmed', 'false-positive', 'needs-info', 'escalated'] as const;
export const HitDecision = z.enum(HIT_DECISIONS);
export type HitDecision = z.infer<typeof HitDecision>;

/** What was encountered, where, when and by whom (SIS Art. 37-like hit form). */
export interface Encountered {
  /** Entity id or record id of what was screened. */
  readonly ref: string;
  readonly schema: string;
  /** A one-line description: "rail booking of Karim BENSAID, doc P1234567". */
  readonly what: string;
  readonly where?: string;
  readonly when?: string;
  /** The agency, source file or user that produced the record. */
  readonly by: string;
}

/** A hit report (or, for a delisted subject, a low-priority notice) in the issuer's inbox. */
export interface HitReport {
  readonly id: string;
  readonly kind: 'hit' | 'notice';
  readonly priority: 'high' | 'normal' | 'low';
  readonly alertId: string;
  /** The inbox: the (former) issuing agency. */
  readonly agency: string;
  readonly caseId: string;
  readonly threatLevel: string;
  readonly recommendedAction: EncounterAction | 'none (post-delisting notice)';
  readonly encountered: Encountered;
  readonly score: number;
  readonly matched: readonly MatchedField[];
  readonly explanation: readonly string[];
  /** Identifies (alert version, record data): a false-positive decision suppresses this fingerprint. */
  readonly fingerprint: string;
  readonly createdAt: string;
  readonly status: 'open' | HitDecision;
  readonly decisions: readonly { readonly at: string; readonly by: string; readonly decision: HitDecision; readonly note: string }[];
}
