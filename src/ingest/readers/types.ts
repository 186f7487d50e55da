/** One record read from a source file, or the reason it could not be read. */
export interface SourceRecord {
  /** 1-based line where the record starts. */
  readonly line: number;
  /** The record as it stands in the file (CSV: its lines; JSON: the element text; XML: the element). */
  readonly raw: string;
  /** CSV: the cell values, in column order. */
  readonly values?: readonly string[];
  /** JSON / XML: the parsed record. */
  readonly object?: unknown;
  /** Set when the record could not be read (malformed CSV, bad encoding, binary data, invalid JSON/XML). */
  readonly error?: { readonly reason: string; readonly field?: string };
}

/** A stream of records with the byte progress through the file. */
export interface RecordStream {
  /** CSV: the column names (from the header line or the mapping). */
  readonly columns?: readonly string[];
  readonly records: AsyncIterable<SourceRecord>;
  /** Bytes of the file consumed so far (for progress and ETA). */
  bytesRead(): number;
}

export interface LineReaderOptions {
  /** Text encoding of the file (default utf-8). */
  readonly encoding?: 'utf-8' | 'latin1';
  /** Longest line accepted; longer ones become one error record each (default 1 MiB). */
  readonly maxLineBytes?: number;
}
