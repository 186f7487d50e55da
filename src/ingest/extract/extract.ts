import { createHash } from 'node:crypto';
import { keyedEntityId, type SchemaName, type Statement } from '../../model/index.js';
import { statementFactory, type Envelope } from '../statements.js';
import { findNameMentions, type GazetteerEntry } from './names.js';
import { findPatternMentions, type ExtractedMention, type MentionType, type PatternOptions } from './patterns.js';

export interface ExtractOptions extends PatternOptions {
  /** Known places, matched verbatim (longest first). */
  readonly gazetteer?: readonly GazetteerEntry[];
  /** Skip compromise (persons and places then come from cues and the gazetteer only). */
  readonly nlp?: boolean;
}

// Which finding wins where candidates overlap: checksummed identifiers first, NLP guesses last.
const PRIORITY: Record<string, number> = { checksum: 0, pattern: 1, gazetteer: 2, cue: 3, nlp: 4 };
const TYPE_PRIORITY: Record<MentionType, number> = { iban: 0, imei: 0, email: 1, passport: 2, plate: 2, serial: 2, date: 3, phone: 4, place: 5, person: 6 };

/** Finds the mentions in a text: identifiers by pattern and checksum, persons and places by cue, gazetteer and compromise. Spans never overlap. */
export function extractMentions(text: string, options: ExtractOptions = {}): ExtractedMention[] {
  const candidates = findPatternMentions(text, options);
  candidates.push(...findNameMentions(text, options.gazetteer, candidates, options.nlp !== false));
  const ranked = candidates.sort(
    (a, b) =>
      TYPE_PRIORITY[a.type] - TYPE_PRIORITY[b.type] ||
      (a.type === 'person' || a.type === 'place' ? b.end - b.start - (a.end - a.start) : 0) ||
      (PRIORITY[a.method] ?? 9) - (PRIORITY[b.method] ?? 9) ||
      b.end - b.start - (a.end - a.start),
  );
  const taken: ExtractedMention[] = [];
  for (const c of ranked) {
    if (taken.some((t) => c.start < t.end && t.start < c.end)) continue;
    taken.push(c);
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** The schema and property a mention type becomes (dates have no entity: the Mention alone records them). */
const TARGET: Record<MentionType, { schema: SchemaName; prop: string; prefix: string; global: boolean } | undefined> = {
  person: { schema: 'Person', prop: 'name', prefix: 'extracted-person', global: false },
  phone: { schema: 'Phone', prop: 'number', prefix: 'phone', global: true },
  email: { schema: 'Email', prop: 'address', prefix: 'email', global: true },
  iban: { schema: 'BankAccount', prop: 'iban', prefix: 'bankaccount', global: true },
  imei: { schema: 'Handset', prop: 'imei', prefix: 'handset', global: true },
  passport: { schema: 'IdentityDocument', prop: 'number', prefix: 'passport', global: true },
  plate: { schema: 'Vehicle', prop: 'registrationNumber', prefix: 'vehicle', global: true },
  serial: { schema: 'Firearm', prop: 'serialNumber', prefix: 'firearm', global: true },
  place: { schema: 'Place', prop: 'name', prefix: 'extracted-place', global: false },
  date: undefined,
};

export interface ReportInput {
  readonly text: string;
  /** The Report entity id (default: keyed by reference, else by a hash of the text). */
  readonly id?: string;
  readonly title?: string;
  readonly reference?: string;
  readonly date?: string;
  readonly author?: string;
  readonly language?: string;
}

export interface ExtractedReport {
  readonly reportId: string;
  readonly mentions: readonly ExtractedMention[];
  /** Report statements (the envelope's nature), then per mention the entity and the Mention link (nature `extracted`). */
  readonly statements: readonly Statement[];
}

/**
 * A free-text report becomes a Report entity; each mention becomes a Mention link (report →
 * entity) with its character span, and the mentioned entity gets the value found. Exact
 * identifiers key their entities across the agency (a phone in a report is the phone in the CDRs);
 * persons and places are keyed per report — deciding who they are is entity resolution's job.
 */
export function extractReport(report: ReportInput, envelope: Envelope, options: ExtractOptions = {}): ExtractedReport {
  const agency = envelope.source.agency;
  const reportId =
    report.id ?? (report.reference ? keyedEntityId(agency, `report.${report.reference.replace(/[^A-Za-z0-9._@+-]/g, '-')}`) : keyedEntityId(agency, `report.${createHash('sha1').update(report.text).digest('hex')}`));
  const fact = statementFactory(envelope);
  const extracted = statementFactory({ ...envelope, nature: 'extracted' });
  const where = `report ${report.reference ?? reportId}`;
  const statements: Statement[] = [];
  const add = (make: typeof fact, id: string, schema: SchemaName, prop: string, value: string | undefined, original?: string) => {
    if (value === undefined || value.trim().length === 0) return;
    statements.push(make(id, schema, prop, value, original, where));
  };
  add(fact, reportId, 'Report', 'bodyText', report.text);
  add(fact, reportId, 'Report', 'title', report.title);
  add(fact, reportId, 'Report', 'reference', report.reference);
  add(fact, reportId, 'Report', 'date', report.date);
  add(fact, reportId, 'Report', 'author', report.author);
  add(fact, reportId, 'Report', 'language', report.language);
  const mentions = extractMentions(report.text, options);
  const seen = new Set<string>();
  for (const m of mentions) {
    const target = TARGET[m.type];
    const mentionId = keyedEntityId(agency, 'mention', reportId, String(m.start), String(m.end));
    let targetId: string | undefined;
    if (target) {
      targetId = target.global
        ? keyedEntityId(agency, `${target.prefix}.${m.value}`)
        : m.type === 'place' && m.method === 'gazetteer' && m.value !== m.text
          ? keyedEntityId(agency, `place.${m.value}`)
          : keyedEntityId(agency, target.prefix, reportId, m.value);
      if (!seen.has(targetId)) {
        seen.add(targetId);
        try {
          add(extracted, targetId, target.schema, target.prop, m.type === 'place' && m.method === 'gazetteer' ? m.text : m.value, m.text === m.value ? undefined : m.text);
          if (m.type === 'place' && m.method === 'gazetteer' && m.value !== m.text) add(extracted, targetId, 'Place', 'code', m.value);
        } catch {
          // A mention whose value the model refuses keeps its Mention link without an entity.
          targetId = undefined;
        }
      }
    }
    add(extracted, mentionId, 'Mention', 'document', reportId);
    if (targetId) add(extracted, mentionId, 'Mention', 'entity', targetId);
    add(extracted, mentionId, 'Mention', 'text', m.text);
    add(extracted, mentionId, 'Mention', 'detectedSchema', target ? target.schema : m.type);
    add(extracted, mentionId, 'Mention', 'spanStart', String(m.start));
    add(extracted, mentionId, 'Mention', 'spanEnd', String(m.end));
  }
  return { reportId, mentions, statements };
}

/** Per-type precision and recall against ground-truth spans. */
export interface TypeScore {
  readonly type: string;
  readonly truth: number;
  readonly found: number;
  /** Exact span matches. */
  readonly exact: number;
  /** Overlapping spans of the same type (lenient). */
  readonly overlap: number;
  readonly precision: number;
  readonly recall: number;
  readonly lenientPrecision: number;
  readonly lenientRecall: number;
}

/** Scores extraction on documents with ground-truth mentions (MUC-style exact and overlap matching). */
export function scoreExtraction(docs: readonly { found: readonly { type: string; start: number; end: number }[]; truth: readonly { type: string; start: number; end: number }[] }[]): TypeScore[] {
  const acc = new Map<string, { truth: number; found: number; exact: number; overlapFound: number; overlapTruth: number }>();
  const get = (t: string) => {
    let a = acc.get(t);
    if (!a) acc.set(t, (a = { truth: 0, found: 0, exact: 0, overlapFound: 0, overlapTruth: 0 }));
    return a;
  };
  for (const d of docs) {
    for (const t of d.truth) {
      const a = get(t.type);
      a.truth++;
      if (d.found.some((f) => f.type === t.type && f.start < t.end && t.start < f.end)) a.overlapTruth++;
    }
    for (const f of d.found) {
      const a = get(f.type);
      a.found++;
      if (d.truth.some((t) => t.type === f.type && t.start === f.start && t.end === f.end)) a.exact++;
      if (d.truth.some((t) => t.type === f.type && f.start < t.end && t.start < f.end)) a.overlapFound++;
    }
  }
  const r = (x: number, y: number) => (y === 0 ? 1 : Number((x / y).toFixed(3)));
  return [...acc.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([type, a]) => ({
      type,
      truth: a.truth,
      found: a.found,
      exact: a.exact,
      overlap: a.overlapTruth,
      precision: r(a.exact, a.found),
      recall: r(a.exact, a.truth),
      lenientPrecision: r(a.overlapFound, a.found),
      lenientRecall: r(a.overlapTruth, a.truth),
    }));
}
