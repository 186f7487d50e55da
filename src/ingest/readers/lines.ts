import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { TesseraError } from '../../model/index.js';
import type { LineReaderOptions } from './types.js';

/** One physical line, decoded, or why it could not be decoded. */
export interface Line {
  readonly line: number;
  readonly text: string;
  readonly error?: string;
}

// C0 controls other than TAB, LF, CR (and DEL) do not occur in text files; their presence means binary data.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BINARY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Why a decoded line is not text, or undefined. */
export function binaryReason(text: string): string | undefined {
  const m = BINARY.exec(text);
  return m ? `binary content: control character 0x${m[0].charCodeAt(0).toString(16).padStart(2, '0')} at column ${m.index + 1}` : undefined;
}

/**
 * Physical lines of a file with their numbers, streamed in bounded memory. Invalid UTF-8, binary
 * bytes and over-long lines become lines with an `error`, never exceptions: the caller quarantines them.
 */
export class LineReader {
  private consumed = 0;
  constructor(
    private readonly file: string,
    private readonly options: LineReaderOptions = {},
  ) {}

  bytesRead(): number {
    return this.consumed;
  }

  async *lines(): AsyncGenerator<Line> {
    const maxLine = this.options.maxLineBytes ?? 1 << 20;
    const latin1 = this.options.encoding === 'latin1';
    let carry: Buffer | undefined;
    let skippingLong = false;
    let lineNo = 0;
    let first = true;
    const decode = (buf: Buffer): Line => {
      lineNo++;
      let end = buf.length;
      if (end > 0 && buf[end - 1] === 0x0d) end--;
      const body = buf.subarray(0, end);
      if (latin1) {
        const text = body.toString('latin1');
        const bin = binaryReason(text);
        return bin ? { line: lineNo, text, error: bin } : { line: lineNo, text };
      }
      if (!isUtf8(body)) return { line: lineNo, text: body.toString('utf8'), error: 'invalid UTF-8 byte sequence (declare encoding: latin1 if the file is not UTF-8)' };
      const text = body.toString('utf8');
      const bin = binaryReason(text);
      return bin ? { line: lineNo, text, error: bin } : { line: lineNo, text };
    };
    const stream = createReadStream(this.file, { highWaterMark: 1 << 20 });
    for await (const chunkRaw of stream as AsyncIterable<Buffer>) {
      let chunk = chunkRaw;
      if (first) {
        first = false;
        if (chunk[0] === 0xff && chunk[1] === 0xfe) throw new TesseraError('VALIDATION', `${this.file}: file is UTF-16 (little-endian BOM); convert it to UTF-8`, { record: this.file });
        if (chunk[0] === 0xfe && chunk[1] === 0xff) throw new TesseraError('VALIDATION', `${this.file}: file is UTF-16 (big-endian BOM); convert it to UTF-8`, { record: this.file });
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          chunk = chunk.subarray(3);
          this.consumed += 3;
        }
      }
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl < 0) break;
        let piece = chunk.subarray(start, nl);
        this.consumed += nl + 1 - start;
        start = nl + 1;
        if (skippingLong) {
          skippingLong = false;
          lineNo++;
          continue;
        }
        if (carry) {
          piece = Buffer.concat([carry, piece]);
          carry = undefined;
        }
        if (piece.length > maxLine) {
          lineNo++;
          yield { line: lineNo, text: `${piece.subarray(0, 200).toString('latin1')}…`, error: `line longer than ${maxLine} bytes (binary file or wrong record separator?); first 200 bytes kept` };
        } else yield decode(piece);
      }
      if (start < chunk.length) {
        this.consumed += chunk.length - start;
        if (skippingLong) continue;
        const rest = chunk.subarray(start);
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
        if (carry.length > maxLine) {
          // Bounded memory: report the over-long line with its first bytes and drop the rest of it.
          lineNo++;
          yield { line: lineNo, text: `${carry.subarray(0, 200).toString('latin1')}…`, error: `line longer than ${maxLine} bytes (binary file or wrong record separator?); first 200 bytes kept` };
          carry = undefined;
          skippingLong = true;
          lineNo--; // the skipped remainder ends this same line; counted when its newline arrives
        }
      }
    }
    if (carry && carry.length > 0 && !skippingLong) yield decode(carry);
  }
}
