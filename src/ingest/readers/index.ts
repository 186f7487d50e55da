/** Streaming readers: records with line numbers, bad records as error records (never exceptions). */
export type { SourceRecord, RecordStream, LineReaderOptions } from './types.js';
export { readCsv, type CsvOptions } from './csv.js';
export { readJsonLines, readJsonArray, type JsonArrayOptions } from './json.js';
export { readXml, type XmlOptions } from './xml.js';
export { LineReader, binaryReason } from './lines.js';
