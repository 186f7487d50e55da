import { createHash } from 'node:crypto';
import type { Principal, QueryContext } from '../governance/index.js';
import type { SignalValue, TriageSubject } from './signals.js';

/** What a ranking needs besides the weights: the subjects, their signals and the gathering's notes. */
export interface GatheredSignals {
  readonly subjects: readonly Pick<TriageSubject, 'id' | 'label' | 'entityIds'>[];
  readonly signals: ReadonlyMap<string, SignalValue[]>;
  readonly notes: readonly string[];
}

/** What decides the signals of a ranking (see `evidenceKey`). */
export interface EvidenceKeyParts {
  readonly principal: Principal;
  readonly ctx: QueryContext;
  /** The store's statements version (`Store.statementsVersion`). */
  readonly statementsVersion: number;
  readonly asOf: number;
  /** How subjects were formed: the resolution's source and its entity → cluster map. */
  readonly resolution: { readonly source: string; readonly clusterOf?: ReadonlyMap<string, string> };
  /** Alerts and hits as read for this ranking, or the error that kept them from being read. */
  readonly watch: unknown;
  /** The agency's last triage decision (an assessment of the subjects it allocated). */
  readonly lastDecision: string | undefined;
  readonly signalOptions: unknown;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The key of gathered signals. Two rankings share signals only when everything they rest on is the
 * same: the read rule's inputs (agency, country, clearance, open cases — as the graph's projection
 * cache keys them — and the case, whose legal basis decides resolution), the store's statements
 * version, the reference time, the resolution (its clusters, digested), the alerts and hits read
 * (digested: any review, new hit or decision changes it), the last decision and the signal options.
 * Weights are not part of it: scoring is recomputed on every call, so new weights apply at once.
 */
export function evidenceKey(k: EvidenceKeyParts): string {
  const clusters = k.resolution.clusterOf === undefined ? null : sha([...k.resolution.clusterOf].map(([e, c]) => `${e}\u0000${c}`).sort().join('\u0001'));
  return JSON.stringify({
    agency: k.principal.agency,
    country: k.principal.country,
    clearance: k.principal.clearance,
    cases: [...k.principal.cases].sort(),
    case: k.ctx.caseId ?? null,
    statements: k.statementsVersion,
    asOf: k.asOf,
    resolution: k.resolution.source,
    clusters,
    watch: sha(JSON.stringify(k.watch) ?? 'none'),
    lastDecision: k.lastDecision ?? null,
    signals: k.signalOptions ?? null,
  });
}

/** Gathered signals kept between rankings, least recently used dropped first. */
export class EvidenceCache {
  private readonly entries = new Map<string, GatheredSignals>();
  private hitCount = 0;
  private missCount = 0;

  constructor(readonly maxEntries = 4) {}

  get(key: string): GatheredSignals | undefined {
    const found = this.entries.get(key);
    if (found === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  set(key: string, value: GatheredSignals): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  stats(): { hits: number; misses: number; entries: number } {
    return { hits: this.hitCount, misses: this.missCount, entries: this.entries.size };
  }
}
