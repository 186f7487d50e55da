/** Free-text extraction: reports → Report entities, mentions with spans, Mention links. */
export { extractMentions, extractReport, scoreExtraction, type ExtractOptions, type ExtractedReport, type ReportInput, type TypeScore } from './extract.js';
export type { ExtractedMention, MentionType, PatternOptions } from './patterns.js';
export type { GazetteerEntry } from './names.js';
