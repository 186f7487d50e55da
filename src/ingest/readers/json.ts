import { TesseraError } from '../../model/index.js';
import { LineReader } from './lines.js';
import type { LineReaderOptions, RecordStream, SourceRecord } from './types.js';

function objectError(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `expected a JSON object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  return undefined;
}

function parseRecord(line: number, raw: string): SourceRecord {
  try {
    const value: unknown = JSON.parse(raw);
    const err = objectError(value);
    return err ? { line, raw, error: { reason: err } } : { line, raw, object: value };
  } catch (e) {
    return { line, raw, error: { reason: `invalid JSON: ${(e as Error).message}` } };
  }
}

/** JSON Lines (one object per line), streamed with line numbers. */
export function readJsonLines(file: string, options: LineReaderOptions = {}): RecordStream {
  const reader = new LineReader(file, options);
  async function* records(): AsyncGenerator<SourceRecord> {
    for await (const l of reader.lines()) {
      if (l.error) yield { line: l.line, raw: l.text, error: { reason: l.error } };
      else if (l.text.trim().length > 0) yield parseRecord(l.line, l.text);
    }
  }
  return { records: records(), bytesRead: () => reader.bytesRead() };
}

export interface JsonArrayOptions extends LineReaderOptions {
  /** Largest element accepted (default 16 MiB); larger ones become one error record each. */
  readonly maxRecordChars?: number;
}

/**
 * The elements of a top-level JSON array, streamed: a small scanner tracks strings and nesting to
 * cut the array into element texts (bounded memory, element line numbers, raw text for hashing and
 * quarantine), and each element is parsed with JSON.parse.
 */
export function readJsonArray(file: string, options: JsonArrayOptions = {}): RecordStream {
  const reader = new LineReader(file, options);
  const maxChars = options.maxRecordChars ?? 16 << 20;
  async function* records(): AsyncGenerator<SourceRecord> {
    let started = false;
    let ended = false;
    let depth = 0;
    let inString = false;
    let escape = false;
    let parts: string[] = [];
    let size = 0;
    let elemLine = 0;
    let oversize = false;
    let lineError: string | undefined;
    const flush = function* (): Generator<SourceRecord> {
      const raw = parts.join('').trim();
      if (raw.length > 0 || oversize) {
        if (oversize) yield { line: elemLine, raw: `${raw.slice(0, 200)}…`, error: { reason: `array element longer than ${maxChars} characters; first 200 kept` } };
        else if (lineError) yield { line: elemLine, raw, error: { reason: lineError } };
        else yield parseRecord(elemLine, raw);
      }
      parts = [];
      size = 0;
      oversize = false;
      lineError = undefined;
      elemLine = 0;
    };
    for await (const l of reader.lines()) {
      const text = `${l.text}\n`;
      if (l.error && started && !ended) lineError ??= `line ${l.line}: ${l.error}`;
      let segStart = 0;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!;
        if (ended) {
          if (!/\s/.test(ch)) throw new TesseraError('VALIDATION', `${file} line ${l.line}: content after the end of the JSON array`, { record: `${file}:${l.line}` });
          continue;
        }
        if (!started) {
          if (/\s/.test(ch)) continue;
          if (ch !== '[') throw new TesseraError('VALIDATION', `${file} line ${l.line}: expected a JSON array ("["), found "${ch}" (use format jsonl for JSON Lines)`, { record: `${file}:${l.line}` });
          started = true;
          segStart = i + 1;
          continue;
        }
        if (inString) {
          if (escape) escape = false;
          else if (ch === '\\') escape = true;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if ((ch === '}' || ch === ']') && depth > 0) depth--;
        else if (depth === 0 && (ch === ',' || ch === ']')) {
          const piece = text.slice(segStart, i);
          if (!oversize) parts.push(piece);
          yield* flush();
          segStart = i + 1;
          if (ch === ']') ended = true;
          continue;
        }
        if (elemLine === 0 && !/\s/.test(ch)) elemLine = l.line;
      }
      if (started && !ended) {
        const piece = text.slice(segStart);
        size += piece.length;
        if (size > maxChars) {
          if (!oversize) parts = [parts.join('').slice(0, 200)];
          oversize = true;
        } else parts.push(piece);
      }
    }
    if (!started) return; // empty file: no records
    if (!ended) {
      const raw = parts.join('').trim();
      if (raw.length > 0) yield { line: elemLine || 1, raw: raw.slice(0, 100_000), error: { reason: 'JSON array is not closed before the end of the file (truncated file?)' } };
    }
  }
  return { records: records(), bytesRead: () => reader.bytesRead() };
}
