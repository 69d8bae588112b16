import { HttpException, HttpStatus } from '@nestjs/common';
import { AppError } from './app-error';
import { ErrorCatalog, ErrorKey } from './error-codes';

export interface ErrorBody {
  code: string;
  title: string;
  message: string;
  entityType?: string;
  fields?: Record<string, string>;
  [extra: string]: unknown;
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** true when the cause is ours (5xx): log it in full at error level. */
  unexpected: boolean;
}

/** Postgres/driver conditions that mean "database unreachable", not "bug". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
]);

const FASTIFY_CODES: Record<string, ErrorKey> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_BODY',
};

function fromCatalog(key: ErrorKey, message: string): MappedError {
  const entry = ErrorCatalog[key];
  return { status: entry.status, body: { code: entry.code, title: entry.title, message }, unexpected: false };
}

interface SchemaViolation {
  keyword: string;
  instancePath: string;
  schemaPath?: string;
  message?: string;
  params: { missingProperty?: string; additionalProperty?: string };
}

/** The Midaz metadata code (0050 key, 0051 value, 0067 nesting) of schema violations, if any. */
function metadataViolation(violations: SchemaViolation[]): ErrorKey | null {
  const onValue = (v: SchemaViolation) => /\/metadata\/[^/]+$/.test(v.instancePath);
  if (violations.some((v) => v.keyword === 'propertyNames' && /\/metadata$/.test(v.instancePath))) return 'METADATA_KEY_TOO_LONG';
  if (violations.some((v) => v.keyword === 'maxLength' && onValue(v))) return 'METADATA_VALUE_TOO_LONG';
  if (violations.some((v) => v.keyword === 'anyOf' && onValue(v))) return 'NESTED_METADATA';
  return null;
}

/** The first malformed batch item (`transactions/<n>`), when every violation is inside an item. */
function itemIndex(violations: SchemaViolation[]): number | undefined {
  const indexes = violations.map((v) => /^\/transactions\/(\d+)(\/|$)/.exec(v.instancePath)?.[1]);
  return indexes.length > 0 && indexes.every((i) => i !== undefined) ? Math.min(...indexes.map(Number)) : undefined;
}

/** A Fastify/ajv body validation error: one field message per violation. */
function fromSchemaViolations(all: SchemaViolation[]): MappedError {
  // The branches of "exactly one of amount, share, remaining" report their own `required`;
  // the oneOf violation says it better.
  // An if/then schema (the items of a batch) adds "must match then" on top of the real violation.
  const violations = all.filter((v) => !(v.keyword === 'required' && v.schemaPath?.includes('/oneOf/')) && v.keyword !== 'if');
  const isAmount = (v: SchemaViolation) => /(^|\/)value$/.test(v.instancePath);
  const fields: Record<string, string> = {};
  for (const v of violations) {
    const base = v.instancePath.split('/').filter(Boolean).join('.');
    const extra = v.params.missingProperty ?? v.params.additionalProperty;
    const field = [base, extra].filter(Boolean).join('.') || 'body';
    const message =
      v.keyword === 'additionalProperties'
        ? 'is not allowed'
        : v.keyword === 'required'
          ? 'is required'
          : v.keyword === 'oneOf'
            ? 'needs exactly one of amount, share or remaining'
            : isAmount(v)
              ? 'must be a decimal string > 0 with at most 18 decimals (no sign, exponent or leading zeros)'
              : (v.message ?? 'is not valid');
    fields[field] ??= message;
  }
  const key: ErrorKey = violations.some((v) => v.keyword === 'additionalProperties')
    ? 'UNEXPECTED_FIELDS'
    : violations.some((v) => v.keyword === 'required')
      ? 'MISSING_FIELDS'
      : violations.every(isAmount)
        ? 'INVALID_AMOUNT'
        : (metadataViolation(violations) ?? 'BAD_REQUEST');
  const mapped = fromCatalog(key, 'The request body is not valid.');
  mapped.body.fields = fields;
  const index = itemIndex(violations);
  if (index !== undefined) mapped.body.index = index;
  return mapped;
}

/**
 * A Postgres data exception (SQLSTATE class 22: a value out of range, malformed, text it cannot
 * store such as NUL): the input's fault, a 400, never a 500.
 */
function isDataException(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : e?.driverError?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** The database could not be reached, or the connection to it was lost (a refused or dropped connection, a terminated backend). */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; driverError?: { code?: unknown } };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.driverError?.code === 'string' ? e.driverError.code : '';
  if (UNAVAILABLE_CODES.has(code)) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|not queryable/i.test(msg);
}

/**
 * Maps any thrown value to a safe response. Only AppError messages and framework
 * 4xx messages are shown; every 5xx body is generic. The stack is added by the caller
 * in development only.
 */
export function mapError(err: unknown): MappedError {
  if (err instanceof AppError) {
    const mapped = fromCatalog(err.key, err.message);
    mapped.status = err.status;
    if (err.extra.entityType) mapped.body.entityType = err.extra.entityType;
    if (err.extra.fields) mapped.body.fields = err.extra.fields;
    if (err.extra.details) Object.assign(mapped.body, err.extra.details);
    return mapped;
  }
  const validation = (err as { validation?: SchemaViolation[] })?.validation;
  if (Array.isArray(validation)) return fromSchemaViolations(validation);
  const fastifyCode = (err as { code?: string })?.code;
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    const key = FASTIFY_CODES[fastifyCode];
    const message =
      key === 'PAYLOAD_TOO_LARGE'
        ? 'The request body is larger than allowed.'
        : key === 'UNSUPPORTED_MEDIA_TYPE'
          ? 'Content-Type must be application/json.'
          : 'The request body is not valid JSON.';
    return fromCatalog(key, message);
  }
  if (err instanceof SyntaxError || fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return fromCatalog('INVALID_BODY', 'The request body is not valid JSON.');
  }
  const statusCode = (err as { statusCode?: unknown })?.statusCode;
  if (err instanceof HttpException || (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500)) {
    const status = err instanceof HttpException ? err.getStatus() : (statusCode as number);
    if (status === HttpStatus.NOT_FOUND) return fromCatalog('ROUTE_NOT_FOUND', 'No route matches this method and path.');
    if (status === HttpStatus.PAYLOAD_TOO_LARGE) return fromCatalog('PAYLOAD_TOO_LARGE', 'The request body is larger than allowed.');
    if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE)
      return fromCatalog('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.');
    if (status === HttpStatus.METHOD_NOT_ALLOWED) return fromCatalog('METHOD_NOT_ALLOWED', 'Method not allowed.');
    // Readiness (terminus) failing: keep the 503, but not its details (hosts, driver errors).
    if (status === HttpStatus.SERVICE_UNAVAILABLE) return fromCatalog('SERVICE_UNAVAILABLE', 'A backing service is unavailable. Retry later.');
    if (status < 500) {
      const mapped = fromCatalog('BAD_REQUEST', 'The request is not valid.');
      mapped.status = status;
      return mapped;
    }
  }
  if (isDataException(err)) {
    return fromCatalog('INVALID_DATA', 'The request holds a value the database cannot store (out of range or malformed).');
  }
  if (isUnavailable(err)) {
    const mapped = fromCatalog('SERVICE_UNAVAILABLE', 'A backing service is unavailable. Retry later.');
    mapped.unexpected = true;
    return mapped;
  }
  const mapped = fromCatalog('INTERNAL', 'An unexpected error occurred. The request id identifies it in the logs.');
  mapped.unexpected = true;
  return mapped;
}
