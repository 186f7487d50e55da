import { invalid } from '../model/index.js';

/**
 * Canonical JSON for signing, after RFC 8785 (JSON Canonicalization Scheme): object keys sorted by
 * UTF-16 code units, no insignificant whitespace, numbers in ECMAScript shortest form (what
 * JSON.stringify emits), strings escaped as JSON.stringify does. Signer and verifier both hash this
 * form, so a message re-serialised by a relay (the hub) or a different JSON library still verifies.
 * Values JSON cannot carry faithfully (NaN, Infinity, bigint, functions, symbols, undefined inside
 * arrays, non-plain objects such as Date or Map) are rejected rather than silently altered.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

function write(value: unknown, path: string, stack: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw invalid('canonical JSON cannot carry a non-finite number', undefined, path);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw invalid(`canonical JSON cannot carry a ${typeof value}`, undefined, path);
  }
  const obj = value as object;
  if (stack.has(obj)) throw invalid('canonical JSON cannot carry a cyclic structure', undefined, path);
  stack.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item: unknown, i) => {
        if (item === undefined) throw invalid('canonical JSON cannot carry undefined in an array', undefined, `${path}[${i}]`);
        return write(item, `${path}[${i}]`, stack);
      }).join(',')}]`;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) throw invalid('canonical JSON carries only plain objects', undefined, path);
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`, stack)}`).join(',')}}`;
  } finally {
    stack.delete(obj);
  }
}
