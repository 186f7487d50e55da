import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LineReader } from './lines.js';
import type { LineReaderOptions, RecordStream, SourceRecord } from './types.js';

export interface XmlOptions extends LineReaderOptions {
  /** The element that holds one record, e.g. `crossing` (records must not nest inside each other). */
  readonly record: string;
  /** Largest record element accepted (default 4 MiB). */
  readonly maxRecordChars?: number;
}

/**
 * Record elements of an XML file, streamed: the text is cut at `<record …>…</record>` boundaries
 * (bounded memory whatever the file size) and each element is validated and parsed by
 * fast-xml-parser. Attributes appear as `@name`, text content of an element with attributes as `#text`.
 */
export function readXml(file: string, options: XmlOptions): RecordStream {
  const reader = new LineReader(file, options);
  const tag = options.record;
  const maxChars = options.maxRecordChars ?? 4 << 20;
  const open = new RegExp(`<${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s>/])`, 'g');
  const close = `</${tag}>`;
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, trimValues: true, processEntities: true });
  async function* records(): AsyncGenerator<SourceRecord> {
    let buf = '';
    let bufLine = 1; // line number of buf[0]
    let inRecord = false;
    let recLine = 0;
    let lineError: string | undefined;
    const emit = (raw: string): SourceRecord => {
      if (lineError) {
        const reason = lineError;
        lineError = undefined;
        return { line: recLine, raw, error: { reason } };
      }
      const valid = XMLValidator.validate(raw);
      if (valid !== true) return { line: recLine, raw, error: { reason: `malformed XML: ${valid.err.msg} (record line ${valid.err.line})` } };
      const parsed = parser.parse(raw) as Record<string, unknown>;
      return { line: recLine, raw, object: parsed[tag] ?? {} };
    };
    const lineAt = (upTo: number) => {
      let n = 0;
      for (let i = buf.indexOf('\n'); i >= 0 && i < upTo; i = buf.indexOf('\n', i + 1)) n++;
      return n;
    };
    for await (const l of reader.lines()) {
      if (l.error && inRecord) lineError ??= `line ${l.line}: ${l.error}`;
      buf += `${l.text}\n`;
      for (;;) {
        if (!inRecord) {
          open.lastIndex = 0;
          const m = open.exec(buf);
          if (!m) {
            // Keep only a tail long enough to hold a split start tag.
            const keep = Math.max(0, buf.length - tag.length - 2);
            bufLine += lineAt(keep);
            buf = buf.slice(keep);
            break;
          }
          bufLine += lineAt(m.index);
          buf = buf.slice(m.index);
          inRecord = true;
          recLine = bufLine;
        }
        // Self-closing record element.
        const selfClose = /^<[^>]*\/>/.exec(buf);
        const end = selfClose ? selfClose[0].length : buf.indexOf(close) >= 0 ? buf.indexOf(close) + close.length : -1;
        if (end < 0) {
          if (buf.length > maxChars) {
            yield { line: recLine, raw: `${buf.slice(0, 200)}…`, error: { reason: `record element <${tag}> longer than ${maxChars} characters or never closed` } };
            bufLine += lineAt(buf.length);
            buf = '';
            inRecord = false;
          }
          break;
        }
        const raw = buf.slice(0, end);
        yield emit(raw);
        bufLine += lineAt(end);
        buf = buf.slice(end);
        inRecord = false;
      }
    }
    if (inRecord && buf.trim().length > 0) yield { line: recLine, raw: buf.slice(0, 100_000), error: { reason: `record element <${tag}> is not closed before the end of the file` } };
  }
  return { records: records(), bytesRead: () => reader.bytesRead() };
}
