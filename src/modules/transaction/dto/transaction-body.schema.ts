/**
 * Request bodies of the posting routes as JSON Schema: compiled once by Fastify's ajv
 * (validation in microseconds on the hot path) and given to Swagger as the documented
 * body, so one definition serves both. Amounts are decimal strings only (G9); the service
 * parses them again with the exact money rules.
 */

export interface AmountBody {
  asset: string;
  value: string;
}

export interface FromToBody {
  accountAlias: string;
  balanceKey?: string;
  amount?: AmountBody;
  share?: { percentage: number; percentageOfPercentage?: number };
  remaining?: string;
  description?: string;
  chartOfAccounts?: string;
  metadata?: Record<string, unknown>;
}

export interface TransactionBody {
  description?: string;
  code?: string;
  chartOfAccountsGroupName?: string;
  transactionDate?: string;
  metadata?: Record<string, unknown>;
  pending?: boolean;
  expiresAt?: string;
  send: {
    asset: string;
    value: string;
    source?: { from: FromToBody[] };
    distribute?: { to: FromToBody[] };
  };
}

export type TransactionKind = 'json' | 'inflow' | 'outflow';

/** Decimal string, > 0, no sign/exponent/leading zeros, at most 18 decimals. */
const AMOUNT = {
  type: 'string',
  pattern: '^(?!0+(\\.0+)?$)(0|[1-9][0-9]*)(\\.[0-9]{1,18})?$',
  maxLength: 60,
  example: '100.00',
  description: 'Decimal string > 0 with at most 18 decimals and 38 significant digits (never a JSON number)',
};

const TEXT = (max: number) => ({ type: 'string', maxLength: max });
const ISO_DATE_TIME = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2})$',
  example: '2026-12-01T12:00:00Z',
};

export const METADATA_JSON_SCHEMA = {
  type: 'object',
  maxProperties: 50,
  propertyNames: { minLength: 1, maxLength: 100 },
  additionalProperties: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'number' }, { type: 'boolean' }] },
  description: 'Flat key/value pairs: at most 50 keys, keys up to 100 chars, values up to 2,000 chars, no nesting',
  example: { invoice: 'INV-42' },
};

const FROM_TO = {
  type: 'object',
  additionalProperties: false,
  required: ['accountAlias'],
  oneOf: [{ required: ['amount'] }, { required: ['share'] }, { required: ['remaining'] }],
  description: 'One leg: exactly one of amount, share or remaining',
  properties: {
    accountAlias: {
      type: 'string',
      pattern: '^(@external/[A-Z0-9]{1,20}|@?[A-Za-z0-9_.:-]{1,100})$',
      example: '@alice',
    },
    balanceKey: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,100}$', example: 'default' },
    amount: {
      type: 'object',
      additionalProperties: false,
      required: ['asset', 'value'],
      properties: { asset: { type: 'string', pattern: '^[A-Z0-9]{1,20}$', example: 'USD' }, value: AMOUNT },
    },
    share: {
      type: 'object',
      additionalProperties: false,
      required: ['percentage'],
      properties: {
        percentage: { type: 'integer', minimum: 0, maximum: 100, example: 50 },
        percentageOfPercentage: { type: 'integer', minimum: 0, maximum: 100, example: 100, description: '0 or absent means 100 (as in Midaz)' },
      },
    },
    remaining: { type: 'string', minLength: 1, maxLength: 20, example: 'remaining' },
    description: TEXT(256),
    chartOfAccounts: TEXT(256),
    metadata: METADATA_JSON_SCHEMA,
  },
};

const legs = (name: 'from' | 'to') => ({
  type: 'object',
  additionalProperties: false,
  required: [name],
  properties: { [name]: { type: 'array', minItems: 1, maxItems: 1000, items: FROM_TO } },
});

/** The body schema of POST transactions/{json|inflow|outflow}. */
export function transactionBodySchema(kind: TransactionKind): Record<string, unknown> {
  const send: Record<string, unknown> = {
    asset: { type: 'string', pattern: '^[A-Z0-9]{1,20}$', example: 'USD' },
    value: AMOUNT,
  };
  if (kind !== 'inflow') send.source = legs('from');
  if (kind !== 'outflow') send.distribute = legs('to');
  const top: Record<string, unknown> = {
    description: TEXT(256),
    code: TEXT(100),
    chartOfAccountsGroupName: TEXT(256),
    transactionDate: ISO_DATE_TIME,
    metadata: METADATA_JSON_SCHEMA,
    send: { type: 'object', additionalProperties: false, required: Object.keys(send), properties: send },
  };
  if (kind !== 'inflow') {
    top.pending = { type: 'boolean', description: 'Hold the funds until commit or cancel' };
    top.expiresAt = { ...ISO_DATE_TIME, description: 'Pending only: cancel the hold automatically at this time' };
  }
  return { type: 'object', additionalProperties: false, required: ['send'], properties: top };
}
