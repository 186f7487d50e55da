import { TesseraError, invalid } from '../../model/index.js';

/**
 * Link colours of the EU multiple-identity detector (Regulation (EU) 2019/817, Art. 30–33):
 * yellow — candidate, to be verified by a person (Art. 30);
 * green — verified: different persons who legitimately share similar data (Art. 31);
 * red — verified: identity fraud, one person under several identities or several persons under one
 *       identity (Art. 32), which raises an alert to the owners of the records;
 * white — verified: the same person, legitimately (Art. 33).
 */
export type LinkColour = 'yellow' | 'white' | 'green' | 'red';
export const LINK_COLOURS: readonly LinkColour[] = ['yellow', 'white', 'green', 'red'];

/** One analyst decision (or its undo), immutable and append-only. */
export interface Judgement {
  readonly seq: number;
  readonly left: string;
  readonly right: string;
  readonly action: 'judge' | 'undo';
  /** The colour set by a `judge` action (undefined for `undo`). */
  readonly colour?: LinkColour;
  /** For `undo`: the seq of the judgement it reverses. */
  readonly undoes?: number;
  readonly by: string;
  readonly at: string;
  readonly why: string;
}

/** Persistence port: judgements are only ever appended (the lead wires this to the store and audit chain). */
export interface JudgementRepository {
  load(): Promise<readonly Judgement[]>;
  append(j: Judgement): Promise<void>;
}

/** In-memory repository (tests, CLI sessions without a store). */
export class MemoryJudgementRepository implements JudgementRepository {
  private readonly items: Judgement[] = [];
  load(): Promise<readonly Judgement[]> {
    return Promise.resolve([...this.items]);
  }
  append(j: Judgement): Promise<void> {
    this.items.push(j);
    return Promise.resolve();
  }
}

/** Current state of one link. */
export interface LinkState {
  readonly left: string;
  readonly right: string;
  readonly colour: LinkColour;
  /** Latest machine score (from the most recent run), if any. */
  readonly probability?: number;
  readonly weight?: number;
  /** The judgement currently in force (undefined: never judged, or all judgements undone). */
  readonly judgement?: Judgement;
  /** Every judgement and undo on this pair, oldest first (the audit trail of the link). */
  readonly history: readonly Judgement[];
}

/** Alert raised by a red link to the owners of both records (Art. 32(3)). */
export interface IdentityFraudAlert {
  readonly left: string;
  readonly right: string;
  readonly owners: readonly string[];
  readonly judgement: Judgement;
}

/** A scored candidate from a matching run. */
export interface CandidateLink {
  readonly left: string;
  readonly right: string;
  readonly probability: number;
  readonly weight?: number;
}

interface MutableLink {
  left: string;
  right: string;
  probability?: number;
  weight?: number;
  history: Judgement[];
}

function pairKey(a: string, b: string): [string, string, string] {
  const [l, r] = a < b ? [a, b] : [b, a];
  return [l, r, `${l}\u0000${r}`];
}

/** Union–find with path halving (Tarjan 1975). */
class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p === x) return x;
    let cur = x;
    while (p !== cur) {
      const gp = this.parent.get(p) ?? p;
      this.parent.set(cur, gp);
      cur = p;
      p = gp;
    }
    return cur;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
  add(x: string): void {
    if (!this.parent.has(x)) this.parent.set(x, x);
  }
  members(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const x of this.parent.keys()) {
      const r = this.find(x);
      const l = out.get(r);
      if (l) l.push(x);
      else out.set(r, [x]);
    }
    return out;
  }
}

export interface ClusterResult {
  /** Resolved entities: record ids per cluster (singletons included only for linked records). */
  readonly clusters: readonly (readonly string[])[];
  /** Links not followed because they would have merged clusters holding a green pair. */
  readonly warnings: readonly string[];
}

/**
 * The link book: current colours of all links, derived by replaying the append-only judgements,
 * plus the scores of the latest run. A re-run (`recordCandidates`) only refreshes scores: a judged
 * colour is never overwritten by a machine. Pure and in-memory; persistence goes through the port.
 */
export class LinkBook {
  private readonly links = new Map<string, MutableLink>();
  private readonly repo: JudgementRepository | undefined;
  private seq = 0;
  private readonly clock: () => Date;

  constructor(opts: { repository?: JudgementRepository; clock?: () => Date } = {}) {
    this.repo = opts.repository;
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Rebuilds a book from a repository's judgements. */
  static async open(repository: JudgementRepository, clock?: () => Date): Promise<LinkBook> {
    const book = new LinkBook({ repository, ...(clock ? { clock } : {}) });
    for (const j of await repository.load()) book.apply(j);
    return book;
  }

  private entry(a: string, b: string): MutableLink {
    const [l, r, k] = pairKey(a, b);
    let e = this.links.get(k);
    if (!e) {
      e = { left: l, right: r, history: [] };
      this.links.set(k, e);
    }
    return e;
  }

  private apply(j: Judgement): void {
    this.entry(j.left, j.right).history.push(j);
    this.seq = Math.max(this.seq, j.seq);
  }

  private static inForce(history: readonly Judgement[]): Judgement | undefined {
    const undone = new Set(history.filter((h) => h.action === 'undo').map((h) => h.undoes));
    for (let i = history.length - 1; i >= 0; i--) {
      const h = history[i];
      if (h && h.action === 'judge' && !undone.has(h.seq)) return h;
    }
    return undefined;
  }

  private static state(e: MutableLink): LinkState {
    const j = LinkBook.inForce(e.history);
    return {
      left: e.left,
      right: e.right,
      colour: j?.colour ?? 'yellow',
      ...(e.probability !== undefined ? { probability: e.probability } : {}),
      ...(e.weight !== undefined ? { weight: e.weight } : {}),
      ...(j ? { judgement: j } : {}),
      history: [...e.history],
    };
  }

  /** Records the candidates of a matching run: new links start yellow; judged links keep their colour. */
  recordCandidates(candidates: Iterable<CandidateLink>): number {
    let n = 0;
    for (const c of candidates) {
      if (c.left === c.right) continue;
      const e = this.entry(c.left, c.right);
      e.probability = c.probability;
      if (c.weight !== undefined) e.weight = c.weight;
      n++;
    }
    return n;
  }

  /** The state of the link between two records (yellow with no score if never seen). */
  link(a: string, b: string): LinkState {
    const [, , k] = pairKey(a, b);
    const e = this.links.get(k);
    return e ? LinkBook.state(e) : { left: pairKey(a, b)[0], right: pairKey(a, b)[1], colour: 'yellow', history: [] };
  }

  /** All links, optionally of one colour. */
  list(colour?: LinkColour): LinkState[] {
    const out: LinkState[] = [];
    for (const e of this.links.values()) {
      const s = LinkBook.state(e);
      if (colour === undefined || s.colour === colour) out.push(s);
    }
    return out;
  }

  /**
   * Records an analyst's judgement on a link. `why` is mandatory (the record of reasons the
   * regulation requires). A white judgement that would join two clusters containing a green pair is
   * refused (CONFLICT). A red judgement returns an alert for the owners of both records.
   */
  async judge(
    a: string,
    b: string,
    colour: LinkColour,
    who: { by: string; why: string; ownerOf?: (recordId: string) => string },
  ): Promise<{ judgement: Judgement; alert?: IdentityFraudAlert }> {
    if (a === b) throw invalid('a link needs two different records', a, 'right');
    if (!LINK_COLOURS.includes(colour)) throw invalid(`unknown link colour "${String(colour)}" (yellow, white, green, red)`, undefined, 'colour');
    if (who.by.trim() === '') throw invalid('a judgement needs the analyst who made it', undefined, 'by');
    if (who.why.trim() === '') throw invalid('a judgement needs a reason (why)', undefined, 'why');
    if (colour === 'white') {
      const conflict = this.greenConflict(a, b);
      if (conflict) {
        throw new TesseraError('CONFLICT', `refused: confirming ${a} = ${b} would merge clusters that hold a green pair (${conflict.left} ≠ ${conflict.right}, judged different persons by ${conflict.judgement?.by ?? '?'})`, {
          record: `${a}|${b}`,
          context: { green: [conflict.left, conflict.right] },
        });
      }
    }
    const [l, r] = pairKey(a, b);
    const j: Judgement = { seq: ++this.seq, left: l, right: r, action: 'judge', colour, by: who.by, at: this.clock().toISOString(), why: who.why };
    await this.repo?.append(j);
    this.apply(j);
    if (colour === 'red') {
      const owners = [...new Set([l, r].map((id) => (who.ownerOf ? who.ownerOf(id) : (id.split(':')[0] ?? id))))];
      return { judgement: j, alert: { left: l, right: r, owners, judgement: j } };
    }
    return { judgement: j };
  }

  /** Reverses the judgement in force on a link (the colour returns to the previous one). */
  async undo(a: string, b: string, who: { by: string; why: string }): Promise<Judgement> {
    const [l, r, k] = pairKey(a, b);
    const e = this.links.get(k);
    const current = e ? LinkBook.inForce(e.history) : undefined;
    if (!current) throw new TesseraError('NOT_FOUND', `no judgement to undo on ${l} – ${r}`, { record: `${l}|${r}` });
    if (who.why.trim() === '') throw invalid('an undo needs a reason (why)', undefined, 'why');
    const j: Judgement = { seq: ++this.seq, left: l, right: r, action: 'undo', undoes: current.seq, by: who.by, at: this.clock().toISOString(), why: who.why };
    await this.repo?.append(j);
    this.apply(j);
    return j;
  }

  /** The green link that would end up inside one cluster if a and b were joined, if any. */
  private greenConflict(a: string, b: string, threshold = Number.POSITIVE_INFINITY): LinkState | undefined {
    const uf = this.componentsWithout(threshold);
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (ra === rb) return undefined;
    const [l, r] = pairKey(a, b);
    for (const g of this.list('green')) {
      // Re-judging the green pair itself is a change of mind, not a merge across it.
      if (g.left === l && g.right === r) continue;
      const x = uf.find(g.left);
      const y = uf.find(g.right);
      if ((x === ra && y === rb) || (x === rb && y === ra)) return g;
    }
    return undefined;
  }

  private componentsWithout(threshold: number): UnionFind {
    const uf = new UnionFind();
    for (const s of this.list()) {
      if (s.colour === 'white' || (s.colour === 'yellow' && (s.probability ?? 0) >= threshold)) uf.union(s.left, s.right);
    }
    return uf;
  }

  /**
   * Resolved entities: connected components of white links and of yellow links scored at or above
   * `threshold`. White links are joined first, then yellow links by descending probability; a link
   * that would put both ends of a green pair in one cluster is not followed and is reported.
   * Red and green links never join records.
   */
  clusters(threshold: number): ClusterResult {
    const uf = new UnionFind();
    const all = this.list();
    const greens = all.filter((s) => s.colour === 'green');
    const warnings: string[] = [];
    const order = [
      ...all.filter((s) => s.colour === 'white'),
      ...all.filter((s) => s.colour === 'yellow' && (s.probability ?? 0) >= threshold).sort((x, y) => (y.probability ?? 0) - (x.probability ?? 0)),
    ];
    for (const s of all) {
      uf.add(s.left);
      uf.add(s.right);
    }
    for (const s of order) {
      const ra = uf.find(s.left);
      const rb = uf.find(s.right);
      if (ra === rb) continue;
      const blocking = greens.find((g) => {
        const x = uf.find(g.left);
        const y = uf.find(g.right);
        return (x === ra && y === rb) || (x === rb && y === ra);
      });
      if (blocking) {
        warnings.push(`not merged: ${s.left} – ${s.right} (${s.colour}) would join ${blocking.left} and ${blocking.right}, judged different persons (green)`);
        continue;
      }
      uf.union(s.left, s.right);
    }
    const clusters = [...uf.members().values()].map((m) => m.sort()).sort((x, y) => (x[0] ?? '').localeCompare(y[0] ?? ''));
    return { clusters, warnings };
  }
}
