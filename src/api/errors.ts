import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { invalid, isTesseraError, TesseraError } from '../model/index.js';

/** Turns whatever a handler threw into a TesseraError (the one error family the API speaks). */
export function toTesseraError(e: unknown): TesseraError {
  if (isTesseraError(e)) return e;
  if (e instanceof ZodError) return fromZodIssues(e.issues);
  if (e instanceof HTTPException) {
    if (e.status === 413) return new TesseraError('LIMIT', 'request body too large');
    if (e.status === 400) return invalid(/json/i.test(e.message) ? 'malformed JSON in the request body' : e.message || 'bad request', undefined, undefined);
    if (e.status === 401) return new TesseraError('UNAUTHENTICATED', e.message || 'sign in first');
    if (e.status === 403) return new TesseraError('FORBIDDEN', e.message || 'forbidden');
    if (e.status === 404) return new TesseraError('NOT_FOUND', e.message || 'not found');
  }
  return new TesseraError('INTERNAL', 'internal error', { cause: e });
}

/** A VALIDATION error naming the first field at fault and listing every issue. */
export function fromZodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): TesseraError {
  const describe = (i: { path: readonly PropertyKey[]; message: string }) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message });
  const all = issues.map(describe);
  const first = all[0] ?? { field: '(body)', message: 'invalid request' };
  return invalid(first.message, undefined, first.field, { issues: all });
}

/**
 * The one error mapping of the API: a TesseraError's status and JSON body (`code`, `message`,
 * `record`, `field`, `context`) plus the request id. Internal errors are logged with their stack
 * and answered without it.
 */
export function errorResponse(c: Context, e: unknown, logger: Logger): Response {
  const err = toTesseraError(e);
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  if (err.status >= 500) logger.error({ err: err.code === 'INTERNAL' ? e : err, requestId, path: c.req.path }, 'request failed');
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const retryAfter = err.context?.retryAfter;
  if (err.code === 'RATE_LIMITED' && typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  return c.json({ ...err.toJSON(), requestId }, err.status as 400, headers);
}
