import { TransactionBody, transactionBodySchema, TransactionKind } from './transaction-body.schema';

/**
 * The body of POST transactions/batch: each item is exactly the body of the single route of its
 * type, validated by the same schema (Fastify's ajv, compiled once). A malformed item makes the
 * request a 400 whose `index` names it (error-response.ts).
 */

export type BatchMode = 'atomic' | 'independent';

export interface BatchItemBody {
  type: TransactionKind;
  /** Same rules and effect as X-Idempotency on the single route. */
  idempotencyKey?: string;
  body: TransactionBody;
}

export interface TransactionBatchBody {
  mode: BatchMode;
  transactions: BatchItemBody[];
}

const KINDS: TransactionKind[] = ['json', 'inflow', 'outflow'];

/** Items a request may hold whatever TRANSACTION_BATCH_MAX_ITEMS says (the setting is checked by the service). */
export const BATCH_ITEMS_CEILING = 10_000;

const MODE = {
  type: 'string',
  enum: ['atomic', 'independent'],
  description: 'atomic: all items or none, in one database transaction; independent: each item succeeds or fails alone',
};
const IDEMPOTENCY_KEY = {
  type: 'string',
  pattern: '^[\\x21-\\x7e]{1,255}$',
  description: 'The X-Idempotency key this item would carry on its single route (1-255 visible ASCII characters)',
};

function batchSchema(item: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['mode', 'transactions'],
    properties: { mode: MODE, transactions: { type: 'array', minItems: 1, maxItems: BATCH_ITEMS_CEILING, items: item } },
  };
}

const itemProperties = (body: Record<string, unknown>) => ({
  type: { type: 'string', enum: KINDS },
  idempotencyKey: IDEMPOTENCY_KEY,
  body,
});

/** What Fastify validates: each item's body against the schema of its type. */
export const transactionBatchSchema = batchSchema({
  type: 'object',
  additionalProperties: false,
  required: ['type', 'body'],
  properties: itemProperties({ type: 'object' }),
  allOf: KINDS.map((kind) => ({
    if: { properties: { type: { const: kind } }, required: ['type'] },
    then: { properties: { body: transactionBodySchema(kind) } },
  })),
});

/** What Swagger shows (OpenAPI 3.0 has no if/then): the body is one of the three single-route bodies. */
export const transactionBatchDocSchema = {
  ...batchSchema({
    type: 'object',
    required: ['type', 'body'],
    properties: itemProperties({ oneOf: KINDS.map(transactionBodySchema), description: 'The body of POST transactions/{type}' }),
  }),
  example: {
    mode: 'atomic',
    transactions: [
      {
        type: 'json',
        idempotencyKey: 'payout-2026-12-06-0001',
        body: { send: { asset: 'USD', value: '25', source: { from: [{ accountAlias: '@alice', amount: { asset: 'USD', value: '25' } }] }, distribute: { to: [{ accountAlias: '@bob', remaining: 'remaining' }] } } },
      },
      { type: 'inflow', body: { send: { asset: 'USD', value: '100', distribute: { to: [{ accountAlias: '@carol', amount: { asset: 'USD', value: '100' } }] } } } },
    ],
  },
};
