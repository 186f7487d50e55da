import { TesseraError } from '../model/index.js';
import type { Store } from '../store/index.js';
import type { Judgement, JudgementRepository } from './links/index.js';

/** Record collection of analyst judgements (append-only). */
export const JUDGEMENTS = 'resolve.judgements';

/** Zero-padded sequence number: record ids then sort in judgement order. */
export function judgementId(seq: number): string {
  return String(seq).padStart(12, '0');
}

/**
 * Judgements kept in the store's records, one record per judgement or undo, never replaced: an undo
 * is a new record that names the one it reverses (the link's history stays complete, as the
 * multiple-identity detector's record of verifications requires, Reg. 2019/817 Art. 34).
 * Index keys `pair`, `left`, `right` and `by` let services find a link's or an analyst's history.
 */
export class StoreJudgementRepository implements JudgementRepository {
  constructor(private readonly store: Store) {}

  /** Every judgement, oldest first. */
  async load(): Promise<readonly Judgement[]> {
    return (await this.store.findRecords<Judgement>(JUDGEMENTS, { order: 'asc' })).map((r) => r.body);
  }

  /** One judgement by its sequence number. */
  async get(seq: number): Promise<Judgement | undefined> {
    return (await this.store.getRecord<Judgement>(JUDGEMENTS, judgementId(seq)))?.body;
  }

  /** Judgements on the links of one record, oldest first. */
  async ofRecord(recordId: string): Promise<Judgement[]> {
    const [l, r] = await Promise.all([
      this.store.findRecords<Judgement>(JUDGEMENTS, { where: { left: recordId }, order: 'asc' }),
      this.store.findRecords<Judgement>(JUDGEMENTS, { where: { right: recordId }, order: 'asc' }),
    ]);
    return [...l, ...r].map((x) => x.body).sort((a, b) => a.seq - b.seq);
  }

  /** Appends a judgement; a sequence number already used is a conflict (two analysts at once), never an overwrite. */
  async append(j: Judgement): Promise<void> {
    await this.store.transaction(async (tx) => {
      const id = judgementId(j.seq);
      if (await tx.getRecord(JUDGEMENTS, id)) {
        throw new TesseraError('CONFLICT', `judgement ${j.seq} already exists: another judgement was recorded meanwhile, reload and retry`, { record: id });
      }
      await tx.putRecord(JUDGEMENTS, id, j, { pair: `${j.left}|${j.right}`, left: j.left, right: j.right, by: j.by, action: j.action });
    });
  }
}
