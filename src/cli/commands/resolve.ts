import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import YAML from 'yaml';
import { invalid, isTesseraError } from '../../model/index.js';
import { DEFAULT_CLUSTER_THRESHOLD, DEFAULT_STORE_FLOOR, LINK_COLOURS, ResolutionService, explainPair, loadModel, matchRecords, nameSimilarity, parseMapping, recordsFromRows, saveModel, type LinkColour, type LinkView, type ResolveRecord } from '../../resolve/index.js';
import { withSession } from '../context.js';
import { printJson, printTable, say } from '../output.js';

/** RFC 4180 quoting of one CSV field. */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw invalid(`${what} not found: ${path}`, undefined, what);
  return readFileSync(path, 'utf8');
}

function readCsv(path: string): Record<string, string>[] {
  try {
    return parse(readText(path, 'input file'), { columns: (h: string[]) => h.map((x) => x.trim()), trim: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  } catch (e) {
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('CSV_')) throw invalid(`${path}: ${e.message}`, path, undefined);
    throw e;
  }
}

function readMapping(path: string): unknown {
  const text = readText(path, 'mapping');
  try {
    return ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw invalid(`mapping ${path} is not valid ${extname(path) || 'JSON'}: ${(e as Error).message}`, path, undefined);
  }
}

function parseThreshold(v: string): number {
  const t = Number(v);
  if (!Number.isFinite(t) || t < 0 || t > 1) throw invalid(`--threshold must be a probability in [0, 1], got "${v}"`, undefined, 'threshold');
  return t;
}

interface MatchOpts {
  mapping: string;
  out: string;
  threshold: number;
  model?: string;
  saveModel?: string;
  threads?: string;
  explain?: number;
}

/** `match` (dedupe or link CSV files, unsupervised), `names score` (name-pair scores for benchmarks) and `resolve …` (on the store). */
export function registerResolveCommands(program: Command): void {
  registerStoreResolveCommands(program);
  program
    .command('match')
    .description('deduplicate one CSV file or link two, unsupervised (Fellegi–Sunter, m/u by EM); writes left_id,right_id,probability,weight')
    .argument('<file>', 'CSV file with a header row')
    .argument('[file2]', 'second CSV file: link across the two files instead of deduplicating')
    .requiredOption('--mapping <file>', 'JSON or YAML mapping of CSV columns to Person properties (see examples/match/febrl.json)')
    .requiredOption('--out <file>', 'output CSV of scored pairs')
    .option('--threshold <p>', 'write pairs whose match probability is at least p', parseThreshold, 0.5)
    .option('--model <file>', 'score with a saved model instead of training one')
    .option('--save-model <file>', 'save the trained model (JSON)')
    .option('--threads <n>', 'comparison worker threads (default: all cores)')
    .option('--explain <n>', 'print the field-by-field explanation of the n best pairs', (v) => Number(v))
    .action(async (file: string, file2: string | undefined, opts: MatchOpts) => {
      const { mapping, specs } = parseMapping(readMapping(opts.mapping));
      const records: ResolveRecord[] = [];
      const issues: string[] = [];
      for (const [source, path] of [file, file2].entries()) {
        if (path === undefined) continue;
        const rows = readCsv(path);
        if (rows.length === 0) throw invalid(`${path} has no data rows`, path, undefined);
        const r = recordsFromRows(rows, mapping, specs, source);
        records.push(...r.records);
        issues.push(...r.issues.map((i) => `${path}: ${i}`));
      }
      for (const i of issues.slice(0, 10)) process.stderr.write(`warning: ${i}\n`);
      if (issues.length > 10) process.stderr.write(`warning: … ${issues.length - 10} more unparseable values treated as missing\n`);
      const threads = opts.threads === undefined ? undefined : Number(opts.threads);
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw invalid('--threads must be a positive integer', undefined, 'threads');
      const model = opts.model ? loadModel(readText(opts.model, 'model')) : undefined;
      const result = await matchRecords(records, specs, { schema: mapping.schema, ...(model ? { model } : {}), ...(threads ? { threads } : {}) });
      if (opts.saveModel) writeFileSync(opts.saveModel, saveModel(result.model));

      const order = Array.from({ length: result.probabilities.length }, (_, p) => p)
        .filter((p) => (result.probabilities[p] ?? 0) >= opts.threshold)
        .sort((x, y) => (result.weights[y] ?? 0) - (result.weights[x] ?? 0));
      const out = createWriteStream(opts.out);
      out.write('left_id,right_id,probability,weight\n');
      const ids = result.prepared.ids;
      for (const p of order) {
        const line = `${csvField(ids[result.pairs[2 * p] ?? 0] ?? '')},${csvField(ids[result.pairs[2 * p + 1] ?? 0] ?? '')},${(result.probabilities[p] ?? 0).toFixed(6)},${(result.weights[p] ?? 0).toFixed(4)}\n`;
        if (!out.write(line)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');

      const log = (s: string): void => void process.stderr.write(`${s}\n`);
      log(`${records.length} records, ${result.pairs.length / 2} candidate pairs (${file2 ? 'linking' : 'deduplicating'})`);
      for (const r of result.blocking) log(`  blocking ${r.rule}: ${r.pairs} pairs, ${r.newPairs} new${r.skippedBlocks ? `, ${r.skippedBlocks} oversized blocks skipped` : ''}`);
      log(`model: ${result.model.training.message}; λ = ${result.model.lambda.toExponential(3)}`);
      log(`wrote ${order.length} pairs with probability ≥ ${opts.threshold} to ${opts.out}`);
      for (const p of order.slice(0, opts.explain ?? 0)) {
        const e = explainPair(result.model, result.prepared, result.pairs[2 * p] ?? 0, result.pairs[2 * p + 1] ?? 0);
        log(`\n${e.left} ~ ${e.right}: probability ${e.probability.toFixed(4)}, weight ${e.weight.toFixed(2)} (prior ${e.priorWeight.toFixed(2)})`);
        for (const f of e.fields) log(`  ${f.field.padEnd(20)} ${f.level.padEnd(13)} ${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)}  ${f.left.join('/')} | ${f.right.join('/')}`);
      }
    });

  const names = program.command('names').description('name matching utilities');
  names
    .command('score')
    .description('read name_a,name_b rows (CSV, header optional) from stdin or --in; write name_a,name_b,score in [0,1]')
    .option('--in <file>', 'read from a file instead of stdin')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: { in?: string; out?: string }) => {
      let text: string;
      if (opts.in) text = readText(opts.in, 'input file');
      else {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin) chunks.push(c as Buffer);
        text = Buffer.concat(chunks).toString('utf8');
      }
      let rows: string[][];
      try {
        rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
      } catch (e) {
        throw invalid(`input is not CSV: ${(e as Error).message}`, undefined, 'input');
      }
      const first = rows[0];
      if (first && (first[0] ?? '').toLowerCase() === 'name_a' && (first[1] ?? '').toLowerCase() === 'name_b') rows = rows.slice(1);
      const lines = ['name_a,name_b,score'];
      rows.forEach((r, n) => {
        if (r.length < 2) throw invalid(`row ${n + 1}: expected two columns name_a,name_b`, `row ${n + 1}`, undefined);
        const a = r[0] ?? '';
        const b = r[1] ?? '';
        lines.push(`${csvField(a)},${csvField(b)},${nameSimilarity(a, b).toFixed(6)}`);
      });
      const body = `${lines.join('\n')}\n`;
      if (opts.out) writeFileSync(opts.out, body);
      else process.stdout.write(body);
    });
}

function parseColour(v: string): LinkColour {
  if (!(LINK_COLOURS as readonly string[]).includes(v) || v === 'yellow') throw invalid(`--state must be white (same person), green (different persons) or red (identity fraud), not "${v}"`, undefined, 'state');
  return v as LinkColour;
}

function linkRow(l: LinkView): Record<string, unknown> {
  return {
    left: l.left,
    right: l.right,
    colour: l.colour,
    probability: l.probability === undefined ? '' : l.probability.toFixed(4),
    judgement: l.judgement ? `#${l.judgement.seq} ${l.judgement.by}: ${l.judgement.why}` : '',
  };
}

/** `resolve run|candidates|judge|undo|clusters`: entity resolution on the store, through governance. */
function registerStoreResolveCommands(program: Command): void {
  const resolve = program.command('resolve').description('entity resolution on the store: candidate links, analyst judgements (white/green/red), clusters');
  resolve
    .command('run')
    .description('match the Person records you may read (SQL-side blocking, Fellegi–Sunter by EM) and store candidate links; judgements are kept')
    .option('--floor <p>', 'store candidate links with probability at least p', parseThreshold, DEFAULT_STORE_FLOOR)
    .option('--max-block <n>', 'skip blocks larger than n records', (v) => Number(v), 1000)
    .option('--truth <file>', 'scenario truth JSON (from `tessera load --truth`): report precision and recall')
    .option('--threshold <p>', 'threshold for the truth evaluation', parseThreshold, DEFAULT_CLUSTER_THRESHOLD)
    .action(async (opts: { floor: number; maxBlock: number; truth?: string; threshold: number }, cmd: Command) => {
      const truth = opts.truth ? (JSON.parse(readText(opts.truth, 'truth')) as { entities?: Record<string, string> }).entities : undefined;
      if (opts.truth && !truth) throw invalid(`${opts.truth} has no "entities" map`, opts.truth, 'entities');
      await withSession(cmd, async (s) => {
        const report = await new ResolutionService(s.gov).run(await s.context(), { storeFloor: opts.floor, maxBlockSize: opts.maxBlock, threshold: opts.threshold, ...(truth ? { truth } : {}) });
        if (s.json) return printJson(report);
        say(`run ${report.runId}: ${report.records} Person records, ${report.candidatePairs} candidate pairs, ${report.stored} stored as links (probability ≥ ${opts.floor}); ${report.judgedKept} already judged, judgements kept`);
        say(`model: ${report.training}`);
        printTable(Object.entries(report.blocking).map(([rule, r]) => ({ rule, keys: r.keys, pairs: r.pairs, skippedBlocks: r.skippedBlocks })));
        const q = report.quality;
        if (q) {
          say(`against truth: ${q.truePairs} true pairs, blocking recall ${q.blockingRecall.toFixed(4)}`);
          say(`  threshold ${q.threshold}: precision ${q.precision.toFixed(4)} recall ${q.recall.toFixed(4)} F1 ${q.f1.toFixed(4)} (${q.correct}/${q.predicted})`);
          say(`  best threshold ${q.best.threshold}: precision ${q.best.precision.toFixed(4)} recall ${q.best.recall.toFixed(4)} F1 ${q.best.f1.toFixed(4)}`);
        }
      });
    });
  resolve
    .command('candidates')
    .description('links you may see, best first: colour, probability, judgement in force')
    .option('--entity <id>', 'only the links of this record (with the score explanation)')
    .option('--state <colour>', 'only links of this colour (yellow, white, green, red)')
    .option('--min <p>', 'only machine links with probability at least p', parseThreshold, 0)
    .option('--limit <n>', 'at most n links', (v) => Number(v), 50)
    .action(async (opts: { entity?: string; state?: string; min: number; limit: number }, cmd: Command) => {
      if (!Number.isInteger(opts.limit) || opts.limit < 1) throw invalid('--limit must be a positive integer', undefined, 'limit');
      if (opts.state !== undefined && !(LINK_COLOURS as readonly string[]).includes(opts.state)) throw invalid(`--state must be one of ${LINK_COLOURS.join(', ')}`, undefined, 'state');
      await withSession(cmd, async (s) => {
        const links = await new ResolutionService(s.gov).candidates(await s.context(), {
          ...(opts.entity ? { entityId: opts.entity } : {}),
          ...(opts.state ? { colour: opts.state as LinkColour } : {}),
          minProbability: opts.min,
          limit: opts.limit,
        });
        if (s.json) return printJson(links);
        if (links.length === 0) return say('no links (run `tessera resolve run` first)');
        printTable(links.map(linkRow));
        if (opts.entity) {
          for (const l of links.slice(0, 5)) {
            if (!l.explanation) continue;
            say(`\n${l.left} ~ ${l.right}: weight ${l.explanation.weight.toFixed(2)} (prior ${l.explanation.priorWeight.toFixed(2)})`);
            for (const f of l.explanation.fields) say(`  ${f.field.padEnd(16)} ${f.level.padEnd(13)} ${f.weight >= 0 ? '+' : ''}${f.weight.toFixed(2)}  ${f.left.join('/')} | ${f.right.join('/')}`);
          }
        }
      });
    });
  resolve
    .command('judge')
    .description('record your judgement on the link between two records: white (same person), green (different persons), red (identity fraud)')
    .argument('<a>', 'record (entity) id')
    .argument('<b>', 'record (entity) id')
    .requiredOption('--state <colour>', 'white, green or red', parseColour)
    .requiredOption('--reason <text>', 'why (kept with the judgement and in the audit log)')
    .action(async (a: string, b: string, opts: { state: LinkColour; reason: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        try {
          const r = await new ResolutionService(s.gov).judge(await s.context(), a, b, opts.state, opts.reason);
          if (s.json) return printJson(r);
          say(`judgement #${r.judgement.seq}: ${r.judgement.left} – ${r.judgement.right} is ${r.judgement.colour} (${r.judgement.by}: ${r.judgement.why})`);
          if (r.alert) say(`alert: identity fraud reported to the owners of both records (${r.alert.owners.join(', ')})`);
        } catch (e) {
          if (isTesseraError(e) && e.code === 'CONFLICT') process.stderr.write(`warning: merge refused, the link stays as it was\n`);
          throw e;
        }
      });
    });
  resolve
    .command('undo')
    .description('reverse a judgement (appends a reversal; the history is kept)')
    .argument('<id>', 'judgement number (#n shown by judge and candidates)')
    .requiredOption('--reason <text>', 'why the judgement is reversed')
    .action(async (id: string, opts: { reason: string }, cmd: Command) => {
      const seq = Number(id.replace(/^#/, ''));
      await withSession(cmd, async (s) => {
        const j = await new ResolutionService(s.gov).undo(await s.context(), seq, opts.reason);
        if (s.json) return printJson(j);
        say(`judgement #${j.seq}: undid #${seq} on ${j.left} – ${j.right} (${j.by}: ${j.why})`);
      });
    });
  resolve
    .command('clusters')
    .description('resolved persons: records joined by white links and machine links at or above the threshold; green pairs are never merged')
    .option('--threshold <p>', 'probability at or above which a machine link joins records', parseThreshold, DEFAULT_CLUSTER_THRESHOLD)
    .action(async (opts: { threshold: number }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const r = await new ResolutionService(s.gov).clusters(await s.context(), opts.threshold);
        for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
        if (s.json) return printJson(r);
        say(`${r.clusters.length} resolved persons with more than one record (threshold ${opts.threshold})`);
        for (const c of r.clusters) say(`  ${c.join('  ')}`);
      });
    });
}
