import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { invalid, TesseraError, type StatementInput } from '../model/index.js';
import { agencyDate, bookingName, emitAll, hashFloat, printPhone, TruthCollector } from './emit.js';
import { assembleTruth, type Scenario, type ScenarioAgency, type ScenarioCase, type ScenarioTruth, type WatchlistEntry } from './scenario.js';
import { isoTime, MONTHS, type ScenarioSize, type TrueCall } from './world.js';

export const SCENARIO_FORMAT = 'tessera-scenario/1';

/** What `manifest.json` holds: enough to check and describe a written scenario. */
export interface ScenarioManifest {
  readonly format: typeof SCENARIO_FORMAT;
  readonly seed: number;
  readonly size: ScenarioSize;
  readonly referenceTime: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly agencies: readonly ScenarioAgency[];
  readonly cases: readonly ScenarioCase[];
  readonly counts: {
    readonly statements: number;
    readonly bySchema: Readonly<Record<string, number>>;
    readonly byAgency: Readonly<Record<string, number>>;
    readonly truePersons: number;
    readonly personRecords: number;
    readonly phones: number;
    readonly cells: number;
    readonly trips: number;
    readonly reports: number;
    readonly mentions: number;
    readonly watchlist: number;
    readonly successions: number;
    readonly operational: number;
  };
  readonly files: {
    readonly statements: { readonly path: string; readonly sha256: string };
    readonly truth: string;
    readonly watchlist: string;
    readonly raw: readonly string[];
  };
}

export interface ScenarioProgress {
  readonly phase: 'statements' | 'calls' | 'truth' | 'done';
  readonly statements: number;
  /** Months of call records written so far, out of `months`. */
  readonly month: number;
  readonly months: number;
}

export interface WriteOptions {
  /** Write the raw source files (CDR, PNR, border and subject CSVs, report texts). Default true. */
  readonly raw?: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (p: ScenarioProgress) => void;
}

class LineFile {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  lines = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }

  async write(chunk: string): Promise<void> {
    this.hash.update(chunk);
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<string> {
    this.stream.end();
    await once(this.stream, 'finish');
    return this.hash.digest('hex');
  }
}

function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(fields: readonly (string | number | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

function agencyDateTime(agency: string, ms: number): string {
  const iso = isoTime(ms);
  return `${agencyDate(agency, iso.slice(0, 10))} ${iso.slice(11, 19)}`;
}

const SUBJECT_COLUMNS = ['record_id', 'name', 'first_name', 'last_name', 'date_of_birth', 'gender', 'place_of_birth', 'nationality', 'passport', 'id_number', 'phone', 'email', 'address', 'country'] as const;
const SUBJECT_PROPS: Readonly<Record<string, (typeof SUBJECT_COLUMNS)[number]>> = {
  name: 'name',
  firstName: 'first_name',
  lastName: 'last_name',
  birthDate: 'date_of_birth',
  gender: 'gender',
  birthPlace: 'place_of_birth',
  nationality: 'nationality',
  passportNumber: 'passport',
  idNumber: 'id_number',
  phone: 'phone',
  email: 'email',
  address: 'address',
  country: 'country',
};

/**
 * Writes a scenario to a directory: `statements.jsonl` (one statement per line, all agencies),
 * `truth.json`, `watchlist.json`, `manifest.json`, and raw source files under `raw/<AGENCY>/`
 * (cdr.csv, pnr.csv, border.csv, subjects.csv) and `raw/reports/<AGENCY>/*.txt`. Streams: memory
 * stays bounded whatever the size. Same seed and size → byte-identical files.
 */
export async function writeScenario(scenario: Scenario, dir: string, options: WriteOptions = {}): Promise<ScenarioManifest> {
  const raw = options.raw ?? true;
  const world = scenario.world;
  await mkdir(dir, { recursive: true });
  const out = new LineFile(join(dir, 'statements.jsonl'));
  const rawFiles = new Map<string, LineFile>();
  const rawFile = async (rel: string, header: readonly string[]): Promise<LineFile> => {
    let f = rawFiles.get(rel);
    if (!f) {
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      f = new LineFile(join(dir, rel));
      rawFiles.set(rel, f);
      await f.write(csvRow(header));
    }
    return f;
  };
  const bySchema: Record<string, number> = {};
  const byAgency: Record<string, number> = {};
  let count = 0;
  let month = 0;
  let pendingCalls: { month: number; calls: readonly TrueCall[] } | undefined;
  const collector = new TruthCollector();
  // Subject rows are assembled from the Person statements of each record, which are contiguous.
  let subject: { agency: string; row: Record<string, string> } | undefined;
  const flushSubject = async () => {
    if (!subject || !raw) return;
    const f = await rawFile(`raw/${subject.agency}/subjects.csv`, SUBJECT_COLUMNS);
    await f.write(csvRow(SUBJECT_COLUMNS.map((c) => subject!.row[c])));
    subject = undefined;
  };
  const report = (phase: ScenarioProgress['phase']) => options.onProgress?.({ phase, statements: count, month, months: MONTHS });

  const batches = emitAll(world, collector, {
    batchSize: options.batchSize ?? 5000,
    reports: scenario.reports,
    onCalls: (m, calls) => {
      pendingCalls = { month: m, calls };
    },
  });
  for (const batch of batches) {
    let text = '';
    for (const s of batch) {
      text += `${JSON.stringify(s)}\n`;
      bySchema[s.schema] = (bySchema[s.schema] ?? 0) + 1;
      byAgency[s.source.agency] = (byAgency[s.source.agency] ?? 0) + 1;
      if (raw && s.schema === 'Person') {
        if (subject?.row['record_id'] !== s.entityId) {
          await flushSubject();
          subject = { agency: s.source.agency, row: { record_id: s.entityId } };
        }
        const col = SUBJECT_PROPS[s.prop];
        if (col && subject.row[col] === undefined) subject.row[col] = s.original ?? s.value;
      }
    }
    count += batch.length;
    await out.write(text);
    if (pendingCalls) {
      month = pendingCalls.month + 1;
      if (raw) await writeCdr(pendingCalls.calls, rawFile);
      pendingCalls = undefined;
      report('calls');
    } else report('statements');
  }
  await flushSubject();
  const sha256 = await out.close();

  if (raw) {
    for (const t of world.trips) {
      const { name } = bookingName(world, t);
      for (const agency of t.recorders) {
        if (t.mode === 'air') {
          const f = await rawFile(`raw/${agency}/pnr.csv`, ['record_locator', 'passenger_name', 'date_of_birth', 'document_number', 'carrier', 'flight', 'from', 'to', 'departure', 'arrival', 'seat']);
          await f.write(csvRow([t.bookingRef, name.original, agencyDate(agency, t.bookedBirthDate), t.documentNumber, t.carrier, t.service, t.origin, t.destination, agencyDateTime(agency, t.departure), agencyDateTime(agency, t.arrival), t.seat]));
        } else if (t.mode === 'border') {
          const v = t.vehicle ? world.vehicleById.get(t.vehicle) : undefined;
          const place = world.placeByCode.get(t.origin)!;
          const f = await rawFile(`raw/${agency}/border.csv`, ['crossing', 'crossing_name', 'date_time', 'direction', 'name', 'date_of_birth', 'document_number', 'plate', 'vehicle_country']);
          await f.write(csvRow([t.origin, place.name, agencyDateTime(agency, t.departure), 'entry', name.original, agencyDate(agency, t.bookedBirthDate), t.documentNumber, v?.plate, v?.country]));
        }
      }
    }
    for (const r of scenario.reports) {
      const path = join(dir, 'raw', r.file);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, r.text, 'utf8');
    }
  }
  const rawPaths: string[] = [];
  for (const [rel, f] of [...rawFiles].sort(([a], [b]) => a.localeCompare(b))) {
    await f.close();
    rawPaths.push(rel);
  }
  if (raw && scenario.reports.length > 0) rawPaths.push('raw/reports/');

  report('truth');
  const truth = assembleTruth(world, collector, scenario.watchlist, scenario.reports);
  await writeFile(join(dir, 'truth.json'), JSON.stringify(truth), 'utf8');
  await writeFile(join(dir, 'watchlist.json'), `${JSON.stringify(scenario.watchlist, null, 1)}\n`, 'utf8');
  const manifest: ScenarioManifest = {
    format: SCENARIO_FORMAT,
    seed: scenario.seed,
    size: scenario.size,
    referenceTime: scenario.referenceTime,
    period: scenario.period,
    agencies: scenario.agencies,
    cases: scenario.cases,
    counts: {
      statements: count,
      bySchema: Object.fromEntries(Object.entries(bySchema).sort(([a], [b]) => a.localeCompare(b))),
      byAgency: Object.fromEntries(Object.entries(byAgency).sort(([a], [b]) => a.localeCompare(b))),
      truePersons: truth.persons.length,
      personRecords: truth.persons.reduce((n, p) => n + p.records.length, 0),
      phones: truth.phones.length,
      cells: truth.cells.length,
      trips: world.trips.length,
      reports: scenario.reports.length,
      mentions: scenario.reports.reduce((n, r) => n + r.mentions.length, 0),
      watchlist: scenario.watchlist.length,
      successions: truth.successions.length,
      operational: truth.operational.length,
    },
    files: { statements: { path: 'statements.jsonl', sha256 }, truth: 'truth.json', watchlist: 'watchlist.json', raw: rawPaths },
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  report('done');
  return manifest;
}

async function writeCdr(calls: readonly TrueCall[], rawFile: (rel: string, header: readonly string[]) => Promise<LineFile>): Promise<void> {
  const header = ['caller', 'callee', 'start', 'duration_s', 'type', 'cell_id', 'imei'];
  const byAgency = new Map<string, string[]>();
  for (const c of calls) {
    for (const agency of c.recorders) {
      const country = agency.slice(0, 2);
      const rows = byAgency.get(agency) ?? [];
      rows.push(csvRow([printPhone(c.callerNumber, country, 1), printPhone(c.calleeNumber, country, 1), agencyDateTime(agency, c.time), c.channel === 'voice' ? c.duration : 0, c.channel, c.cellId, hashFloat(agency, c.seq, c.time) < 0.7 ? c.imei : undefined]));
      byAgency.set(agency, rows);
    }
  }
  for (const [agency, rows] of byAgency) {
    const f = await rawFile(`raw/${agency}/cdr.csv`, header);
    await f.write(rows.join(''));
  }
}

/** A written scenario opened for reading. */
export interface ScenarioReader {
  readonly dir: string;
  readonly manifest: ScenarioManifest;
  /** Statements in file order, in batches; validates JSON per line (errors name the line). */
  statements(batchSize?: number): AsyncIterable<StatementInput[]>;
  truth(): Promise<ScenarioTruth>;
  watchlist(): Promise<readonly WatchlistEntry[]>;
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new TesseraError('NOT_FOUND', `scenario ${what} not found: ${path}`, { record: path, cause: e });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw invalid(`scenario ${what} is not valid JSON`, path, undefined, { cause: String(e) });
  }
}

/** Opens a scenario directory written by `writeScenario`. */
export async function readScenario(dir: string): Promise<ScenarioReader> {
  const manifest = await readJson<ScenarioManifest>(join(dir, 'manifest.json'), 'manifest');
  if (manifest.format !== SCENARIO_FORMAT) throw invalid(`unsupported scenario format "${String(manifest.format)}" (expected ${SCENARIO_FORMAT})`, join(dir, 'manifest.json'), 'format');
  const statementsPath = join(dir, manifest.files.statements.path);
  await stat(statementsPath).catch((e: unknown) => {
    throw new TesseraError('NOT_FOUND', `scenario statements not found: ${statementsPath}`, { record: statementsPath, cause: e });
  });
  return {
    dir,
    manifest,
    async *statements(batchSize = 5000) {
      const lines = createInterface({ input: createReadStream(statementsPath, { encoding: 'utf8' }), crlfDelay: Infinity });
      let batch: StatementInput[] = [];
      let n = 0;
      for await (const line of lines) {
        n++;
        if (line.length === 0) continue;
        try {
          batch.push(JSON.parse(line) as StatementInput);
        } catch {
          throw invalid('not a JSON statement', `${statementsPath} line ${n}`, undefined);
        }
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    truth: () => readJson<ScenarioTruth>(join(dir, manifest.files.truth), 'truth'),
    watchlist: () => readJson<readonly WatchlistEntry[]>(join(dir, manifest.files.watchlist), 'watchlist'),
  };
}

