import { normaliseIdentifier, type SubjectCategory } from '../model/index.js';
import { localId, printPhone, type ReportStatementsSource } from './emit.js';
import { printIban } from './identifiers.js';
import { canonicalName, renderName } from './names.js';
import { digest } from './rng.js';
import { DAY, isoDate, pad, phoneAt, SCENARIO_END, SCENARIO_START, type TruePerson, type TrueTrip, type World } from './world.js';

/** Kinds of mention the extraction issue must find, with their canonical values. */
export type MentionType = 'person' | 'phone' | 'email' | 'iban' | 'imei' | 'passport' | 'date' | 'place' | 'plate' | 'serial';

/** One ground-truth mention in a report: character span [start, end) of the body text. */
export interface MentionTruth {
  readonly start: number;
  readonly end: number;
  readonly type: MentionType;
  readonly text: string;
  /** Canonical value: canonical name, E.164, IBAN, IMEI digits, identifier, ISO date, place code, plate. */
  readonly value: string;
  /** The true object (person id, phone id, `D:number`, `place:CODE`…). */
  readonly trueId?: string;
  /** The entity of the reporting agency that stands for it, when the agency holds one. */
  readonly entityId?: string;
}

export interface ScenarioReport extends ReportStatementsSource {
  readonly file: string;
  readonly mentions: readonly MentionTruth[];
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

class TextBuilder {
  text = '';
  readonly mentions: MentionTruth[] = [];

  add(s: string): this {
    this.text += s;
    return this;
  }

  mention(type: MentionType, surface: string, value: string, trueId?: string, entityId?: string): this {
    const start = this.text.length;
    this.text += surface;
    this.mentions.push({ start, end: this.text.length, type, text: surface, value, ...(trueId ? { trueId } : {}), ...(entityId ? { entityId } : {}) });
    return this;
  }
}

const FILLER = [
  'No further activity was observed during the period.',
  'The subject appeared to be aware of possible surveillance and changed direction several times.',
  'This information has not yet been corroborated by a second source.',
  'Enquiries are continuing and a further report will follow.',
  'The source has provided reliable information in the past.',
  'Open-source checks produced no additional results.',
  'The team lost contact with the subject for approximately forty minutes.',
  'Partner services have been asked to check their holdings.',
];

/** Builds the free-text reports of the scenario, each with its ground-truth mention spans. */
export function buildReports(world: World, count: number): ScenarioReport[] {
  const rng = world.rng.fork('reports');
  const reports: ScenarioReport[] = [];
  const agencies = world.agencies.filter((a) => world.views.get(a.id)!.persons.size > 0);
  const seqs = new Map<string, number>();
  const knownBy = new Map<string, { known: TruePerson[]; cellKnown: TruePerson[] }>();
  const tripsBy = new Map<string, TrueTrip[]>();
  for (const t of world.trips) {
    const list = tripsBy.get(t.person) ?? [];
    list.push(t);
    tripsBy.set(t.person, list);
  }
  for (let i = 0; i < count; i++) {
    const agency = agencies[i % agencies.length]!;
    const view = world.views.get(agency.id)!;
    let cached = knownBy.get(agency.id);
    if (!cached) {
      const all = [...view.persons.keys()].map((id) => world.personById.get(id)!);
      cached = { known: all, cellKnown: all.filter((p) => p.cell) };
      knownBy.set(agency.id, cached);
    }
    const { known, cellKnown } = cached;
    const focusCell = cellKnown.length > 0 && rng.chance(0.7);
    const subject = focusCell ? rng.pick(cellKnown) : rng.pick(known);
    const seq = (seqs.get(agency.id) ?? 0) + 1;
    seqs.set(agency.id, seq);
    const date = SCENARIO_START + rng.int(30, Math.floor((SCENARIO_END - SCENARIO_START) / DAY) - 2) * DAY;
    const year = new Date(date).getUTCFullYear();
    const reference = `${agency.country}-RPT-${year}-${pad(seq, 4)}`;
    const house = Number.parseInt(digest(agency.id).slice(0, 2), 16);
    const b = new TextBuilder();
    const dateText = (ms: number) => {
      const iso = isoDate(ms);
      const [y, m, d] = iso.split('-');
      const style = rng.int(0, 3);
      const surface = style === 0 ? `${Number(d)} ${MONTH_NAMES[Number(m) - 1]} ${y}` : style === 1 ? `${d}/${m}/${y}` : style === 2 ? `${d}.${m}.${y}` : iso;
      b.mention('date', surface, iso);
    };
    const personText = (p: TruePerson, upper = true) => {
      const r = renderName(rng, p.name, { house, nativeScript: 0, typo: 0.03, surnameFirst: upper ? 0.4 : 0 });
      b.mention('person', r.full, canonicalName(p.name).full, p.id, view.persons.has(p.id) ? localId(world.seed, agency.id, 'per', p.id) : undefined);
    };
    const placeText = (code: string) => {
      const pl = world.placeByCode.get(code)!;
      b.mention('place', pl.name, code, `place:${code}`, localId(world.seed, agency.id, 'plc', code));
    };
    const phoneText = (phoneId: string) => {
      const ph = world.phoneById.get(phoneId)!;
      b.mention('phone', printPhone(ph.number, agency.country, rng.int(0, 2)), ph.number, ph.id, view.phones.has(ph.id) ? localId(world.seed, agency.id, 'tel', ph.id) : undefined);
    };
    const title = focusCell ? rng.pick(['Surveillance report', 'Intelligence report', 'Telephone analysis', 'Travel analysis']) : rng.pick(['Witness statement', 'Incident report', 'Information report']);
    b.add(`${agency.name.toUpperCase()}\n${title.toUpperCase()} ${reference}\nDate: `);
    dateText(date);
    b.add('\n\n');
    // Identity paragraph.
    b.add('Subject: ');
    personText(subject);
    b.add(', born ');
    b.mention('date', rng.chance(0.5) ? subject.birthDate.split('-').reverse().join('/') : subject.birthDate, subject.birthDate);
    b.add(` in ${subject.birthPlace}`);
    if (rng.chance(0.7)) {
      b.add(', holder of passport ');
      b.mention('passport', subject.passport.number, normaliseIdentifier(subject.passport.number), `D:${subject.passport.number}`);
    }
    b.add(`. The subject lives in `);
    const cityCode = world.places.find((pl) => pl.kind === 'city' && pl.name === subject.city.name)?.code;
    if (cityCode) placeText(cityCode);
    else b.add(subject.city.name);
    const phone = phoneAt(world, subject, 'personal', date) ?? world.phoneById.get(subject.phones[0]!);
    if (phone) {
      b.add(' and uses the mobile number ');
      phoneText(phone.id);
    }
    b.add('.\n\n');
    const paragraphs = rng.sample(focusCell ? ['meeting', 'burner', 'travel', 'finance', 'email', 'firearm', 'vehicle'] : ['email', 'finance', 'vehicle', 'travel', 'incident'], rng.int(3, 5));
    for (const kind of paragraphs) {
      if (kind === 'meeting' && subject.cell) {
        const cell = world.cells.find((c) => c.id === subject.cell)!;
        const other = world.personById.get(rng.pick(cell.members.filter((m) => m !== subject.id)) ?? subject.id)!;
        const m = world.meetings.find((x) => x.participants.includes(subject.id));
        b.add('On ');
        dateText(m?.time ?? date - rng.int(3, 60) * DAY);
        b.add(', the surveillance team observed ');
        personText(subject);
        b.add(' meeting ');
        personText(other);
        b.add(' at ');
        if (m) placeText(m.place);
        else b.add('a café');
        b.add(`. The two men arrived separately and spoke for about ${rng.int(10, 90)} minutes. `);
      } else if (kind === 'burner') {
        const chain = subject.burners.map((id) => world.phoneById.get(id)!);
        const k = chain.findIndex((ph, idx) => idx > 0 && ph.start <= date);
        if (k > 0) {
          const old = chain[k - 1]!;
          const neu = chain[k]!;
          b.add('Telephone analysis shows that the number ');
          phoneText(old.id);
          b.add(' has been silent since ');
          dateText(old.end);
          b.add('. A new number, ');
          phoneText(neu.id);
          b.add(', became active shortly afterwards');
          if (old.handset === neu.handset) {
            b.add(' in the same handset (IMEI ');
            const h = world.handsetById.get(neu.handset)!;
            b.mention('imei', h.imei, h.imei, h.id);
            b.add(')');
          }
          b.add(' and calls the same correspondents. ');
        } else b.add(`${rng.pick(FILLER)} `);
      } else if (kind === 'travel') {
        const t = (tripsBy.get(subject.id) ?? []).find((x) => x.mode !== 'border');
        if (t) {
          b.add('According to passenger data, ');
          personText(subject, false);
          b.add(' travelled from ');
          placeText(t.origin);
          b.add(' to ');
          placeText(t.destination);
          b.add(' on ');
          dateText(t.departure);
          b.add(` (${t.service}) on document `);
          b.mention('passport', t.documentNumber, normaliseIdentifier(t.documentNumber), `D:${t.documentNumber}`);
          const mates = t.group ? world.trips.filter((x) => x.group === t.group && x.person !== subject.id) : [];
          if (mates.length > 0) {
            b.add(', together with ');
            personText(world.personById.get(mates[0]!.person)!);
          }
          b.add('. ');
        } else b.add(`${rng.pick(FILLER)} `);
      } else if (kind === 'finance' && subject.iban) {
        b.add('Financial enquiries identified the account ');
        b.mention('iban', rng.chance(0.6) ? printIban(subject.iban) : subject.iban, subject.iban, `B:${subject.iban}`);
        b.add(` held by the subject. ${rng.int(2, 9)} cash deposits were made between `);
        dateText(date - rng.int(60, 200) * DAY);
        b.add(' and ');
        dateText(date - rng.int(1, 50) * DAY);
        b.add('. ');
      } else if (kind === 'email' && subject.email) {
        b.add('The subject is believed to use the e-mail address ');
        b.mention('email', subject.email, subject.email, `email:${subject.email}`);
        b.add(' for bookings and messaging. ');
      } else if (kind === 'firearm' && subject.cell) {
        const f = world.firearms.find((x) => x.holder === subject.id) ?? world.firearms.find((x) => world.cells.find((c) => c.id === subject.cell)!.firearms.includes(x.id));
        if (f) {
          b.add(`A partner service reports that the group obtained a ${f.make} ${f.model} (serial number `);
          b.mention('serial', f.serial, normaliseIdentifier(f.serial), f.id);
          b.add(') brought in by road from the Balkans. ');
        } else b.add(`${rng.pick(FILLER)} `);
      } else if (kind === 'vehicle' && subject.vehicle) {
        const v = world.vehicleById.get(subject.vehicle)!;
        b.add(`The subject was seen driving a ${v.model} with registration `);
        b.mention('plate', v.plate, normaliseIdentifier(v.plate), v.id);
        b.add('. ');
      } else if (kind === 'incident') {
        b.add('On ');
        dateText(date - rng.int(1, 20) * DAY);
        b.add(`, the subject reported ${rng.pick(['the theft of a wallet', 'a burglary at home', 'a threatening message', 'a road accident'])} and was heard as a witness. `);
      } else b.add(`${rng.pick(FILLER)} `);
      b.add(`${rng.pick(FILLER)}\n\n`);
    }
    while (b.text.length < 1000) b.add(`${rng.pick(FILLER)} `);
    b.add(`\nAuthor: officer ${agency.country}-${rng.int(1000, 9999)}\n`);
    const pv = view.persons.get(subject.id)!;
    const category: SubjectCategory = pv.category;
    reports.push({
      agency: agency.id,
      entityId: localId(world.seed, agency.id, 'rep', reference),
      reference,
      title: `${title} ${reference}`,
      date: isoDate(date),
      author: `${agency.country}-CT analyst`,
      text: b.text,
      caseId: pv.caseId,
      classification: focusCell ? 'CONFIDENTIAL' : 'RESTRICTED',
      subjectCategory: category,
      file: `reports/${agency.id}/${reference}.txt`,
      mentions: b.mentions,
    });
  }
  return reports;
}
