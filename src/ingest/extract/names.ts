import { createRequire } from 'node:module';
import type Nlp from 'compromise';
import type { ExtractedMention } from './patterns.js';

// compromise unpacks its lexicon when loaded (~0.5 s of CPU): load it on the first report that needs
// it, not in every process that merely imports ingest (each CLI start, every API server).
const require = createRequire(import.meta.url);
let nlpInstance: typeof Nlp | undefined;
function nlp(text: string): ReturnType<typeof Nlp> {
  nlpInstance ??= require('compromise') as typeof Nlp;
  return nlpInstance(text);
}

/** A gazetteer entry: a known place (the agency's own Place entities, airports, stations). */
export interface GazetteerEntry {
  readonly name: string;
  readonly code?: string;
}

// A capitalised name token: letters, apostrophes and inner hyphens (Al-Sharif, O’Neill, Bensaïd).
const TOKEN = "\\p{Lu}[\\p{Ll}\\p{Lu}'’]*(?:-\\p{Lu}?[\\p{Ll}'’]+)*";
// Arabic, Dutch, German, French, Italian, Portuguese name particles, free-standing or hyphenated (al-Karim, van Dijk).
const PARTICLE = '(?:al|el|bin|ben|ibn|abu|van|von|de|der|den|da|di|du|la|le|dos|das)';
const NAME_TOKEN = `(?:${PARTICLE}-)?${TOKEN}`;
const NAME_SEQ = `(?:${PARTICLE} )?${NAME_TOKEN}(?: (?:${PARTICLE} )?${NAME_TOKEN}){0,3}`;
const GIVEN_SURNAME = `${NAME_TOKEN}(?: (?:${PARTICLE} )?${NAME_TOKEN}){1,3}`;
const SURNAME_COMMA_GIVEN = `${NAME_SEQ}, ${NAME_SEQ}`;
// Given names in these forms are capitalised words (a lower-case letter second), never all capitals.
const GIVEN_TOKEN = "\\p{Lu}\\p{Ll}[\\p{Ll}'’]*(?:-\\p{Lu}?[\\p{Ll}'’]+)*";
const UPPER_SURNAME_GIVEN = `(?=[\\p{Lu} -]{4,} )\\p{Lu}{2,}(?:[ -]\\p{Lu}{2,})* ${GIVEN_TOKEN}(?: (?:${PARTICLE} )?(?:${PARTICLE}-)?${GIVEN_TOKEN}){0,3}`;
// Place names: capitalised words, French elisions (Côte d’Azur), parenthesised parts (Frankfurt (Main)).
const PLACE_TOKEN = `(?:d['’])?${TOKEN}`;
const PERSON = new RegExp(
  `(?:\\bSubject: |\\bobserved |\\bmeeting |\\btogether with |\\bwith |\\b(?:Mr|Mrs|Ms|Dr)\\.? |\\bnamed |\\bcalled |\\balias |\\bpassenger data, |\\bwitness |\\bsuspect )(${UPPER_SURNAME_GIVEN}|${SURNAME_COMMA_GIVEN}|${GIVEN_SURNAME})`,
  'gu',
);
const UPPER_NAME = new RegExp(`(?<![\\p{L}])${UPPER_SURNAME_GIVEN}(?![\\p{L}])`, 'gu');
const PLACE = new RegExp(`\\b(?:in|at|from|to|near|via) (${TOKEN}(?:[ -](?:${PLACE_TOKEN}|\\(${TOKEN}\\)|(?:de|del|la|am|an|sur|upon)\\b))*)`, 'gu');
// A named site with a designation: "at Amsterdam gym (site 1)".
const SITE = new RegExp(`\\bat (${TOKEN}(?: ${PLACE_TOKEN}){0,2}(?: \\p{Ll}+){1,3} \\([\\p{L}\\p{N} .-]{1,24}\\))`, 'gu');
// Words that start sentences or titles and are no names.
const STOP = new Set(['The', 'This', 'On', 'In', 'At', 'A', 'An', 'No', 'Partner', 'Open-source', 'Enquiries', 'Date', 'Subject', 'Author', 'According', 'Telephone', 'Financial', 'According']);

const trimSpan = (text: string, start: number, end: number): [number, number] => {
  while (end > start && /[\s.,;:!?)]/.test(text[end - 1]!) && !(text[end - 1] === ')' && text.slice(start, end).includes('('))) end--;
  while (start < end && /[\s(]/.test(text[start]!)) start++;
  return [start, end];
};

function gazetteerRegex(entries: readonly GazetteerEntry[]): { re: RegExp; codes: Map<string, string> } | undefined {
  if (entries.length === 0) return undefined;
  const codes = new Map<string, string>();
  for (const e of entries) codes.set(e.name, e.code ?? e.name);
  const names = [...codes.keys()].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.join('|')})(?![\\p{L}\\p{N}])`, 'gu'), codes };
}
const gazetteerCache = new WeakMap<readonly GazetteerEntry[], ReturnType<typeof gazetteerRegex>>();

interface NlpTerm {
  text: string;
  offset: { start: number; length: number };
}

/**
 * Persons and places: compromise (English part-of-speech tagging, its person and place lexicons),
 * cue phrases ("observed X meeting Y", "travelled from X to Y"), upper-case surname forms
 * (EL AMRANI Nabil) and an optional gazetteer of known places.
 */
export function findNameMentions(text: string, gazetteer: readonly GazetteerEntry[] = [], covered: readonly ExtractedMention[] = [], useNlp = true): ExtractedMention[] {
  const out: ExtractedMention[] = [];
  const push = (type: 'person' | 'place', start: number, end: number, method: string, value?: string) => {
    [start, end] = trimSpan(text, start, end);
    const surface = text.slice(start, end);
    if (surface.length < 2 || STOP.has(surface)) return;
    out.push({ type, start, end, text: surface, value: value ?? surface.normalize('NFKC').replace(/\s+/g, ' '), method });
  };
  let g = gazetteerCache.get(gazetteer);
  if (g === undefined && !gazetteerCache.has(gazetteer)) {
    g = gazetteerRegex(gazetteer);
    gazetteerCache.set(gazetteer, g);
  }
  if (g) for (const m of text.matchAll(g.re)) push('place', m.index, m.index + m[0].length, 'gazetteer', g.codes.get(m[0]));
  for (const m of text.matchAll(PERSON)) {
    const start = m.index + m[0].length - m[1]!.length;
    push('person', start, start + m[1]!.length, 'cue');
  }
  for (const m of text.matchAll(UPPER_NAME)) {
    // Headers are all capitals; a name here mixes an upper-case surname with a capitalised given name.
    push('person', m.index, m.index + m[0].length, 'cue');
  }
  for (const m of text.matchAll(SITE)) {
    const start = m.index + m[0].length - m[1]!.length;
    push('place', start, start + m[1]!.length, 'cue');
  }
  for (const m of text.matchAll(PLACE)) {
    const start = m.index + m[0].length - m[1]!.length;
    push('place', start, start + m[1]!.length, 'cue');
  }
  if (useNlp) {
    // compromise costs ~10 ms per 2 KB; run it only on sentences with a capitalised word that no
    // pattern, cue or gazetteer entry explains (the sentence's first word aside).
    const spans = [...covered, ...out];
    for (const s of text.matchAll(/[^.!?\n]+[.!?]?/g)) {
      const base = s.index;
      const sentence = s[0];
      let unexplained = false;
      for (const w of sentence.matchAll(/\p{Lu}\p{Ll}[\p{Ll}'’-]*/gu)) {
        const at = base + w.index;
        if (sentence.slice(0, w.index).trim().length === 0 || STOP.has(w[0])) continue;
        if (spans.some((m) => at >= m.start && at < m.end)) continue;
        unexplained = true;
        break;
      }
      if (!unexplained) continue;
      const doc = nlp(sentence);
      for (const t of doc.people().json({ offset: true }) as NlpTerm[]) {
        const start = base + t.offset.start;
        // "a Dacia Logan": an article before a capitalised pair names a thing, not a person.
        if (/\b(?:a|an|the)\s+$/i.test(text.slice(Math.max(0, start - 5), start))) continue;
        push('person', start, start + t.offset.length, 'nlp');
      }
      for (const t of doc.places().json({ offset: true }) as NlpTerm[]) push('place', base + t.offset.start, base + t.offset.start + t.offset.length, 'nlp');
    }
  }
  return out;
}
