import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors/app-error';

/** Keys refused anywhere in a body: prototype pollution vectors for any code that merges objects. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function invalid(message: string): AppError {
  return new AppError('INVALID_BODY', message);
}

const shown = (key: string): string => JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}...` : key);

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Parses a JSON request body, refusing what JSON.parse would accept but we do not:
 * nesting deeper than maxDepth (checked before parsing, so 100,000 levels cost one linear
 * scan), a key repeated in one object (JSON.parse would silently keep the last value, so two
 * readers of the same bytes could disagree about an amount), and the keys __proto__,
 * constructor and prototype at any depth, NUL characters (\u0000: Postgres text cannot
 * store them) and strings that are not well-formed Unicode (a lone surrogate such as \ud800,
 * refused with the path of its field). Anything else invalid is left to JSON.parse.
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (text.length === 0) throw invalid('The request body is empty; send a JSON document.');
  const fast = parsePlainBody(text, maxDepth);
  return fast !== NOT_PLAIN ? fast : parseCheckedBody(text, maxDepth);
}

const NOT_PLAIN = Symbol('not a plain body');
/** Open frames of parsePlainBody: 1 for an object, 0 for an array (reused: parsing is synchronous). */
let openFrames = new Uint8Array(64);

/**
 * The common case in one pass without allocations: a body with no backslash at all (so no
 * escapes: no NUL, no lone surrogate, each key's text is the key). Answers the parsed body when
 * it is nested at most maxDepth deep, has none of the reserved keys and no key twice in one
 * object (told by counting: JSON.parse keeps one property per distinct key, so its objects hold
 * as many properties as the text has keys only when no object repeats one). Anything else, and
 * invalid JSON, is NOT_PLAIN: parseCheckedBody then decides, with its exact error.
 */
function parsePlainBody(text: string, maxDepth: number): unknown {
  if (text.indexOf('\\') !== -1) return NOT_PLAIN;
  if (openFrames.length < maxDepth) openFrames = new Uint8Array(maxDepth);
  const n = text.length;
  let depth = 0;
  let keys = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const j = text.indexOf('"', i + 1);
      if (j === -1) return NOT_PLAIN;
      if (depth > 0 && openFrames[depth - 1] === 1) {
        let k = j + 1;
        while (k < n && isWhitespace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === COLON) {
          const length = j - i - 1;
          if ((length === 9 || length === 11) && RESERVED_KEYS.has(text.slice(i + 1, j))) return NOT_PLAIN;
          keys++;
        }
      }
      i = j + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth >= maxDepth) return NOT_PLAIN;
      openFrames[depth++] = c === OPEN_OBJECT ? 1 : 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    }
    i++;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return NOT_PLAIN;
  }
  return countKeys(parsed) === keys ? parsed : NOT_PLAIN;
}

/** Properties of every object in a parsed JSON value. */
function countKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += countKeys(value[i]);
    return count;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) count += 1 + countKeys(record[key]);
  return count;
}

/** The full checks, for bodies with escapes and every refusal (see parseJsonBody). */
function parseCheckedBody(text: string, maxDepth: number): unknown {
  // One frame per open object (its keys so far) or array (null).
  const frames: Array<Set<string> | null> = [];
  const n = text.length;
  // Strings are skipped with indexOf; only a string holding a backslash is walked character by
  // character. The position of the next backslash only moves forward, so the scan stays linear.
  let nextBackslash = text.indexOf('\\');
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (nextBackslash !== -1 && nextBackslash <= i) nextBackslash = text.indexOf('\\', i + 1);
      let j = text.indexOf('"', i + 1);
      if (j === -1) break; // unterminated string: JSON.parse reports it
      const escaped = nextBackslash !== -1 && nextBackslash < j;
      if (escaped) {
        j = nextBackslash;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === BACKSLASH) j += 2;
          else if (d === QUOTE) break;
          else j++;
        }
        if (j >= n) break;
      }
      if (escaped && text.slice(i + 1, j).includes('u0000') && decodeString(text.slice(i, j + 1)).includes('\0')) {
        throw invalid('The request body contains a NUL character (\\u0000).');
      }
      const keys = frames.length > 0 ? frames[frames.length - 1] : null;
      if (keys) {
        let k = j + 1;
        while (k < n && isWhitespace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === COLON) {
          const key = escaped ? decodeString(text.slice(i, j + 1)) : text.slice(i + 1, j);
          if (RESERVED_KEYS.has(key)) throw invalid(`The key ${shown(key)} is not allowed in a request body.`);
          if (keys.has(key)) throw invalid(`The key ${shown(key)} appears more than once in one object.`);
          keys.add(key);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (frames.length >= maxDepth) throw invalid(`The request body nests deeper than ${maxDepth} levels.`);
      frames.push(c === OPEN_OBJECT ? new Set<string>() : null);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      frames.pop();
    }
    i++;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  // A surrogate can only come from a \u escape (the body was decoded from UTF-8): only then walk it.
  if (SURROGATE_ESCAPE.test(text)) refuseIllFormedText(parsed);
  return parsed;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const ILL_FORMED = 'is not well-formed Unicode (a lone surrogate)';

/** A lone UTF-16 surrogate cannot be stored as it was sent (Postgres would refuse or change it). */
const isWellFormed = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Refuses the first string (value or key) that is not well-formed Unicode, naming its path (a.b.0.c). */
function refuseIllFormedText(value: unknown, path: string[] = []): void {
  const field = path.join('.') || 'body';
  if (typeof value === 'string') {
    if (!isWellFormed(value)) throw new AppError('INVALID_BODY', `The field ${field} ${ILL_FORMED}.`, { fields: { [field]: ILL_FORMED } });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => refuseIllFormedText(v, [...path, String(i)]));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!isWellFormed(k)) {
        const message = `has a key that ${ILL_FORMED}`;
        throw new AppError('INVALID_BODY', `The field ${field} ${message}.`, { fields: { [field]: message } });
      }
      refuseIllFormedText(v, [...path, k]);
    }
  }
}

function decodeString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
}

/** charset parameter of a Content-Type, lower case, if any. */
function charsetOf(request: FastifyRequest): string | undefined {
  const header = request.headers['content-type'];
  const match = typeof header === 'string' ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header) : null;
  return match?.[1].toLowerCase();
}

/**
 * Replaces Fastify's JSON parser (application/json only; every other type is a 415) with
 * parseJsonBody. Bodies are read as UTF-8; another declared charset is a 415.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, opts: { maxDepth: number }): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = charsetOf(request);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json in UTF-8.'), undefined);
      return;
    }
    try {
      done(null, parseJsonBody(body as string, opts.maxDepth));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
