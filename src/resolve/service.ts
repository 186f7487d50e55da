import { ulid } from 'ulidx';
import type { Governance, Principal, QueryContext } from '../governance/index.js';
import { TesseraError, invalid, isTesseraError, scoringView, type Statement } from '../model/index.js';
import type { BlockingReport, Store } from '../store/index.js';
import { blockingKeys, defaultRules, type BlockingRule } from './blocking/index.js';
import { ComparisonPool, explainPair, prepareRecords, trainModel, weightToProbability, weightsFromLevels, type FieldSpec, type PairExplanation, type ResolveRecord } from './fs/index.js';
import { LINK_COLOURS, LinkBook, type ClusterResult, type IdentityFraudAlert, type Judgement, type LinkColour, type LinkState } from './links/index.js';
import { StoreJudgementRepository } from './store-repository.js';

/** Record collection of the latest run's scored candidate links (machine output; replaced by each run). */
export const LINKS = 'resolve.links';
/** Record collection of run reports (one per run). */
export const RUNS = 'resolve.runs';
/** Record collection of identity-fraud alerts raised by red judgements. */
export const ALERTS = 'resolve.alerts';

/** Default probability at or above which a machine link joins a cluster. */
export const DEFAULT_CLUSTER_THRESHOLD = 0.5;
/** Default lowest probability stored as a candidate (below it a pair is noise, not work for an analyst). */
export const DEFAULT_STORE_FLOOR = 0.05;

/**
 * Person properties compared on the store (the scenario's and ingest's Person properties; protected
 * characteristics are never in a ScoringView, so nationality etc. cannot be listed here).
 */
export const PERSON_FIELDS: readonly FieldSpec[] = [
  { name: 'name', kind: 'name' },
  { name: 'firstName', kind: 'name' },
  { name: 'lastName', kind: 'name' },
  { name: 'birthDate', kind: 'date' },
  { name: 'passportNumber', kind: 'identifier' },
  { name: 'idNumber', kind: 'identifier' },
  { name: 'phone', kind: 'phone' },
  { name: 'email', kind: 'identifier' },
  { name: 'address', kind: 'text' },
  { name: 'gender', kind: 'exact' },
];

/** A stored candidate link: the machine's score and its explanation (the waterfall). */
export interface StoredLink {
  readonly left: string;
  readonly right: string;
  readonly probability: number;
  readonly weight: number;
  readonly rules: readonly string[];
  readonly runId: string;
  readonly explanation: PairExplanation;
}

/** A link as an analyst sees it: current colour, score, explanation, judgement history. */
export interface LinkView extends LinkState {
  readonly explanation?: PairExplanation;
  readonly rules?: readonly string[];
}

export interface RunOptions {
  /** Lowest probability stored as a candidate link (default 0.05). */
  readonly storeFloor?: number;
  /** Blocks larger than this are skipped (default 1000; broad rules carry their own smaller cap). */
  readonly maxBlockSize?: number;
  /** Comparison worker threads (default: in-process below 20k pairs, else all cores). */
  readonly threads?: number;
  /** Ground truth (record id → true identity) to evaluate the run against, when known. */
  readonly truth?: Readonly<Record<string, string>>;
  /** Threshold for the evaluation (default 0.5). */
  readonly threshold?: number;
}

/** Precision and recall of a run's links against ground truth. */
export interface RunQuality {
  readonly truePairs: number;
  readonly blockingRecall: number;
  readonly threshold: number;
  readonly predicted: number;
  readonly correct: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly best: { readonly threshold: number; readonly precision: number; readonly recall: number; readonly f1: number };
}

/** What a run did. */
export interface RunReport {
  readonly runId: string;
  readonly at: string;
  readonly by: string;
  readonly records: number;
  readonly candidatePairs: number;
  readonly stored: number;
  /** Stored links that already carry an analyst's judgement (kept, never overwritten). */
  readonly judgedKept: number;
  readonly blocking: Readonly<Record<string, { keys: number; pairs: number; skippedBlocks: number; skippedPairs: number }>>;
  readonly training: string;
  readonly lambda: number;
  readonly quality?: RunQuality;
}

/** Result of a judgement: the judgement, and for red links the alert sent to the records' owners. */
export interface JudgeResult {
  readonly judgement: Judgement;
  readonly alert?: IdentityFraudAlert;
}

function pairOf(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** Records of Person entities from readable statements (ScoringView: protected properties dropped). */
function recordsOf(statements: Iterable<Statement>): ResolveRecord[] {
  const props = new Map<string, Record<string, string[]>>();
  for (const s of statements) {
    if (s.schema !== 'Person') continue;
    const p = props.get(s.entityId) ?? {};
    (p[s.prop] ??= []).push(s.value);
    props.set(s.entityId, p);
  }
  return [...props.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([id, p]) => ({ id, fields: scoringView('Person', p) }));
}

/** Pairwise precision/recall of scored pairs against ground truth (pairs of records with the same true identity). */
export function runQuality(recordIds: readonly string[], scored: readonly { left: string; right: string; probability: number }[], truth: Readonly<Record<string, string>>, threshold: number): RunQuality {
  const trueOf = (id: string): string => truth[id] ?? `self:${id}`;
  const sizes = new Map<string, number>();
  for (const id of recordIds) sizes.set(trueOf(id), (sizes.get(trueOf(id)) ?? 0) + 1);
  let truePairs = 0;
  for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
  const isTrue = scored.map((p) => trueOf(p.left) === trueOf(p.right));
  const at = (t: number): { predicted: number; correct: number; precision: number; recall: number; f1: number } => {
    let predicted = 0;
    let correct = 0;
    scored.forEach((p, k) => {
      if (p.probability < t) return;
      predicted++;
      if (isTrue[k]) correct++;
    });
    const precision = predicted === 0 ? 1 : correct / predicted;
    const recall = truePairs === 0 ? 1 : correct / truePairs;
    return { predicted, correct, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  };
  let best = { threshold: 0, precision: 0, recall: 0, f1: 0 };
  for (let k = 1; k < 100; k++) {
    const q = at(k / 100);
    if (q.f1 > best.f1) best = { threshold: k / 100, precision: q.precision, recall: q.recall, f1: q.f1 };
  }
  const found = isTrue.filter(Boolean).length;
  return { truePairs, blockingRecall: truePairs === 0 ? 1 : found / truePairs, threshold, ...at(threshold), best };
}

/**
 * Entity resolution on the store, through governance: the matcher runs over the Person records the
 * user may read, candidate pairs are generated set-wise in the store (SQL self-join on a key table),
 * scored links are stored as yellow candidates, and analysts' judgements (white/green/red, Reg.
 * 2019/817 Art. 30–33) are appended and audited with the user's purpose and case. A re-run replaces
 * scores only: judgements live in their own append-only records and always win.
 */
export class ResolutionService {
  private readonly store: Store;
  private readonly repo: StoreJudgementRepository;

  constructor(
    private readonly gov: Governance,
    private readonly opts: { clock?: () => Date } = {},
  ) {
    this.store = gov.store;
    this.repo = new StoreJudgementRepository(gov.store);
  }

  private clock(): Date {
    return this.opts.clock ? this.opts.clock() : new Date();
  }

  private async analyst(ctx: QueryContext): Promise<Principal> {
    const principal = await this.gov.authorise(ctx, 'resolution', { schemas: ['Person'] });
    this.gov.requireRole(principal, 'analyst', 'supervisor', 'admin');
    return principal;
  }

  /** Runs the matcher over the readable Person records and stores the candidate links. */
  async run(ctx: QueryContext, opts: RunOptions = {}): Promise<RunReport> {
    const principal = await this.analyst(ctx);
    const floor = opts.storeFloor ?? DEFAULT_STORE_FLOOR;
    if (!(floor >= 0 && floor <= 1)) throw invalid('the store floor must be a probability in [0, 1]', undefined, 'storeFloor');
    const maxBlock = opts.maxBlockSize ?? 1000;
    if (!Number.isInteger(maxBlock) || maxBlock < 2) throw invalid('maxBlockSize must be an integer ≥ 2', undefined, 'maxBlockSize');

    const statements: Statement[] = [];
    for await (const batch of this.gov.scanReadable(ctx, 'resolution', { schemas: ['Person'] })) statements.push(...batch);
    const records = recordsOf(statements);
    const runId = ulid();
    const at = this.clock().toISOString();

    // Set-wise candidate generation in the store. Rules with their own block cap (broad ones) go to
    // their own key namespace so each namespace is built with one cap.
    const rules = defaultRules(PERSON_FIELDS);
    const byCap = new Map<number, BlockingRule[]>();
    for (const r of rules) {
      const cap = r.maxBlockSize ?? maxBlock;
      byCap.set(cap, [...(byCap.get(cap) ?? []), r]);
    }
    const pairRules = new Map<string, Set<string>>();
    const blocking: Record<string, { keys: number; pairs: number; skippedBlocks: number; skippedPairs: number }> = {};
    for (const [cap, capRules] of byCap) {
      const ns = `resolve:${runId}:${cap}`;
      try {
        const keys = records.flatMap((rec) => blockingKeys(rec, PERSON_FIELDS, capRules).map((k) => ({ recordId: rec.id, rule: k.rule, key: k.key })));
        await this.store.writeBlockingKeys(ns, keys);
        const report: BlockingReport = await this.store.buildCandidatePairs(ns, cap);
        Object.assign(blocking, report.byRule);
        for await (const batch of this.store.scanCandidatePairs(ns)) {
          for (const p of batch) {
            const k = `${p.left}|${p.right}`;
            const set = pairRules.get(k) ?? new Set<string>();
            for (const r of p.rules) set.add(r);
            pairRules.set(k, set);
          }
        }
      } finally {
        await this.store.clearBlocking(ns);
      }
    }

    const prepared = prepareRecords(records, PERSON_FIELDS);
    const index = new Map(prepared.ids.map((id, i) => [id, i]));
    const keys = [...pairRules.keys()];
    const pairs = new Int32Array(keys.length * 2);
    keys.forEach((k, p) => {
      const [l = '', r = ''] = k.split('|');
      pairs[2 * p] = index.get(l) ?? 0;
      pairs[2 * p + 1] = index.get(r) ?? 0;
    });
    // Worker start-up costs more than comparing a few thousand pairs (as in matchRecords).
    const pool = ComparisonPool.create(prepared, keys.length < 20_000 ? 1 : opts.threads);
    let levels: Uint8Array;
    try {
      levels = await pool.compare(pairs.slice());
    } finally {
      await pool.close();
    }
    const model = trainModel(prepared, levels, { schema: 'Person' });
    const weights = weightsFromLevels(model, prepared, pairs, levels);

    const book = await LinkBook.open(this.repo);
    const scored: { left: string; right: string; probability: number }[] = [];
    const links: StoredLink[] = [];
    let judgedKept = 0;
    keys.forEach((k, p) => {
      const i = pairs[2 * p] ?? 0;
      const j = pairs[2 * p + 1] ?? 0;
      const weight = weights[p] ?? 0;
      const probability = weightToProbability(weight, model.lambda);
      const [left, right] = pairOf(prepared.ids[i] ?? '', prepared.ids[j] ?? '');
      scored.push({ left, right, probability });
      if (probability < floor) return;
      if (book.link(left, right).judgement) judgedKept++;
      links.push({ left, right, probability, weight, rules: [...(pairRules.get(k) ?? [])].sort(), runId, explanation: explainPair(model, prepared, i, j) });
    });

    await this.store.transaction(async (tx) => {
      const previous = await tx.findRecords<StoredLink>(LINKS);
      for (const l of links) await tx.putRecord(LINKS, `${l.left}|${l.right}`, l, { left: l.left, right: l.right, entity: [l.left, l.right], run: runId });
      const fresh = new Set(links.map((l) => `${l.left}|${l.right}`));
      for (const old of previous) if (!fresh.has(old.id)) await tx.deleteRecord(LINKS, old.id);
    });

    const report: RunReport = {
      runId,
      at,
      by: principal.userId,
      records: records.length,
      candidatePairs: keys.length,
      stored: links.length,
      judgedKept,
      blocking,
      training: model.training.message,
      lambda: model.lambda,
      ...(opts.truth ? { quality: runQuality(prepared.ids, scored, opts.truth, opts.threshold ?? DEFAULT_CLUSTER_THRESHOLD) } : {}),
    };
    await this.store.putRecord(RUNS, runId, { ...report, model }, { by: principal.userId });
    await this.gov.audit(ctx, principal, 'resolution.run', 'allowed', [], { runId, records: report.records, candidatePairs: report.candidatePairs, stored: report.stored, judgedKept });
    return report;
  }

  /** The link book: judgements replayed, scores of the latest run. */
  /** The link book over `store` (the service's store, or a transaction's so judgements commit with their audit entry). */
  private async book(store: Store = this.store): Promise<{ book: LinkBook; stored: Map<string, StoredLink> }> {
    const book = await LinkBook.open(store === this.store ? this.repo : new StoreJudgementRepository(store), this.opts.clock);
    const stored = new Map((await store.findRecords<StoredLink>(LINKS)).map((r) => [r.id, r.body]));
    book.recordCandidates(stored.values());
    return { book, stored };
  }

  /** Ids of the Person records this user may read (one audited scan). */
  private async readable(ctx: QueryContext): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const batch of this.gov.scanReadableCores(ctx, 'resolution', { schemas: ['Person'], props: ['name', 'firstName', 'lastName'] })) for (const s of batch) ids.add(s.entityId);
    return ids;
  }

  private view(s: LinkState, stored: Map<string, StoredLink>): LinkView {
    const l = stored.get(`${s.left}|${s.right}`);
    return { ...s, ...(l ? { explanation: l.explanation, rules: l.rules } : {}) };
  }

  /**
   * Candidate and judged links the user may see (both records readable), best first. `entityId`
   * restricts to the links of one record; `colour` to one link colour.
   */
  async candidates(ctx: QueryContext, filter: { entityId?: string; colour?: LinkColour; minProbability?: number; limit?: number } = {}): Promise<LinkView[]> {
    const principal = await this.gov.authorise(ctx, 'resolution', { schemas: ['Person'] });
    if (filter.colour !== undefined && !LINK_COLOURS.includes(filter.colour)) throw invalid(`unknown link colour "${String(filter.colour)}" (yellow, white, green, red)`, undefined, 'colour');
    const { book, stored } = await this.book();
    let links = book.list(filter.colour);
    if (filter.entityId !== undefined) links = links.filter((s) => s.left === filter.entityId || s.right === filter.entityId);
    const min = filter.minProbability ?? 0;
    links = links.filter((s) => s.judgement !== undefined || (s.probability ?? 0) >= min);
    let visible: (id: string) => boolean;
    if (filter.entityId !== undefined) {
      const ends = [...new Set(links.flatMap((s) => [s.left, s.right]).concat(filter.entityId))];
      const readable = await this.gov.readEntities(ctx, ends, 'resolution');
      if (!readable.has(filter.entityId)) throw new TesseraError('NOT_FOUND', `no entity ${filter.entityId}`, { record: filter.entityId });
      visible = (id) => readable.has(id);
    } else {
      const readable = await this.readable(ctx);
      visible = (id) => readable.has(id);
    }
    const out = links
      .filter((s) => visible(s.left) && visible(s.right))
      .sort((x, y) => (y.probability ?? 2) - (x.probability ?? 2) || x.left.localeCompare(y.left))
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY)
      .map((s) => this.view(s, stored));
    await this.gov.audit(ctx, principal, 'resolution.candidates', 'allowed', filter.entityId ? [filter.entityId] : [], { links: out.length, ...(filter.colour ? { colour: filter.colour } : {}) });
    return out;
  }

  /** Checks that the user may read both records of a link (NOT_FOUND otherwise: no existence leak). */
  private async requireReadable(ctx: QueryContext, ids: readonly string[]): Promise<void> {
    const readable = await this.gov.readEntities(ctx, ids, 'resolution');
    for (const id of ids) if (!readable.has(id)) throw new TesseraError('NOT_FOUND', `no entity ${id}`, { record: id });
  }

  /**
   * Records an analyst's judgement on the link between two records, with the reason; audited with
   * the user's purpose and case. Confirming a link (white) that would merge clusters holding a green
   * pair is refused (CONFLICT) and the refusal audited. A red judgement raises an alert to the owners.
   */
  async judge(ctx: QueryContext, a: string, b: string, colour: LinkColour, why: string): Promise<JudgeResult> {
    const principal = await this.analyst(ctx);
    if (a === b) throw invalid('a link needs two different records', a, 'right');
    if (!LINK_COLOURS.includes(colour)) throw invalid(`unknown link colour "${String(colour)}" (yellow, white, green, red)`, undefined, 'colour');
    if (colour === 'yellow') throw invalid('yellow is the machine’s candidate state: judge white, green or red, or undo a judgement', undefined, 'colour');
    if (why.trim() === '') throw invalid('a judgement needs a reason (--reason)', undefined, 'why');
    await this.requireReadable(ctx, [a, b]);
    try {
      // The judgement, its alert and their audit entries commit together or not at all.
      return await this.store.transaction(async (tx) => {
        const { book } = await this.book(tx);
        const result = await book.judge(a, b, colour, { by: principal.userId, why });
        const j = result.judgement;
        await this.gov.auditIn(tx, ctx, principal, 'resolution.judge', [j.left, j.right], { judgement: j.seq, colour, why });
        if (result.alert) {
          await tx.putRecord(ALERTS, String(j.seq).padStart(12, '0'), result.alert, { owner: [...result.alert.owners], left: j.left, right: j.right });
          await this.gov.auditIn(tx, ctx, principal, 'resolution.alert', [j.left, j.right], { judgement: j.seq, owners: result.alert.owners });
        }
        return result;
      });
    } catch (e) {
      if (isTesseraError(e) && e.code === 'CONFLICT') await this.gov.audit(ctx, principal, 'resolution.judge', 'refused', [a, b], { colour, why, reason: e.message });
      throw e;
    }
  }

  /** Reverses judgement `seq` (it must be the one in force on its link); audited. */
  async undo(ctx: QueryContext, seq: number, why: string): Promise<Judgement> {
    const principal = await this.analyst(ctx);
    if (!Number.isInteger(seq) || seq < 1) throw invalid(`judgement id must be a positive integer, got "${String(seq)}"`, undefined, 'id');
    if (why.trim() === '') throw invalid('an undo needs a reason (--reason)', undefined, 'why');
    const target = await this.repo.get(seq);
    if (!target) throw new TesseraError('NOT_FOUND', `no judgement ${seq}`, { record: String(seq) });
    if (target.action === 'undo') throw invalid(`judgement ${seq} is itself an undo: judge the link again instead`, String(seq), 'id');
    await this.requireReadable(ctx, [target.left, target.right]);
    return this.store.transaction(async (tx) => {
      const { book } = await this.book(tx);
      const inForce = book.link(target.left, target.right).judgement;
      if (inForce?.seq !== seq) {
        throw new TesseraError('CONFLICT', `judgement ${seq} is not in force on ${target.left} – ${target.right}${inForce ? ` (judgement ${inForce.seq} is): undo that one first` : ' (already undone)'}`, { record: String(seq) });
      }
      const j = await book.undo(target.left, target.right, { by: principal.userId, why });
      await this.gov.auditIn(tx, ctx, principal, 'resolution.undo', [j.left, j.right], { judgement: j.seq, undoes: seq, why });
      return j;
    });
  }

  /** Resolved entities among the records the user may read: white links and machine links at or above `threshold`. */
  async clusters(ctx: QueryContext, threshold = DEFAULT_CLUSTER_THRESHOLD): Promise<ClusterResult> {
    const principal = await this.gov.authorise(ctx, 'resolution', { schemas: ['Person'] });
    if (!(threshold >= 0 && threshold <= 1)) throw invalid('threshold must be a probability in [0, 1]', undefined, 'threshold');
    const readable = await this.readable(ctx);
    const { book } = await this.book();
    const result = book.clusters(threshold);
    const clusters = result.clusters.map((c) => c.filter((id) => readable.has(id))).filter((c) => c.length > 1);
    await this.gov.audit(ctx, principal, 'resolution.clusters', 'allowed', [], { threshold, clusters: clusters.length, warnings: result.warnings.length });
    return { clusters, warnings: result.warnings };
  }
}
