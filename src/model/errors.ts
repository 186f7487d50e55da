/**
 * The one error family of Tessera. Every failure a user can cause or meet carries a stable `code`,
 * the HTTP status the API maps it to, and — where it concerns input — the record and field at fault.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PURPOSE_REQUIRED'
  | 'CASE_REQUIRED'
  | 'LEGAL_BASIS'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CORRUPT'
  | 'STORE_TOO_NEW'
  | 'AUDIT_TAMPERED'
  | 'CONFIG'
  | 'LIMIT'
  | 'RATE_LIMITED'
  | 'INTERNAL';

const httpStatus: Record<ErrorCode, number> = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PURPOSE_REQUIRED: 403,
  CASE_REQUIRED: 403,
  LEGAL_BASIS: 403,
  STORE_UNAVAILABLE: 503,
  STORE_CORRUPT: 500,
  STORE_TOO_NEW: 500,
  AUDIT_TAMPERED: 500,
  CONFIG: 500,
  LIMIT: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export interface ErrorDetails {
  /** The record at fault: an entity or statement id, a file line, a row number. */
  readonly record?: string;
  /** The field at fault, e.g. `birthDate` or `grading.source`. */
  readonly field?: string;
  /** Extra machine-readable context. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly record: string | undefined;
  readonly field: string | undefined;
  readonly context: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.status = httpStatus[code];
    this.record = details.record;
    this.field = details.field;
    this.context = details.context;
  }

  /** A plain object for API responses and logs. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.record === undefined ? {} : { record: this.record }),
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.context === undefined ? {} : { context: this.context }),
    };
  }
}

/** Builds a VALIDATION error naming the record and field. */
export function invalid(message: string, record: string | undefined, field: string | undefined, context?: Record<string, unknown>): TesseraError {
  const where = [record && `record ${record}`, field && `field ${field}`].filter(Boolean).join(', ');
  return new TesseraError('VALIDATION', where ? `${where}: ${message}` : message, {
    ...(record === undefined ? {} : { record }),
    ...(field === undefined ? {} : { field }),
    ...(context === undefined ? {} : { context }),
  });
}

export function isTesseraError(e: unknown): e is TesseraError {
  return e instanceof TesseraError;
}
