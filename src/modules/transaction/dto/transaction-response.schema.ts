/**
 * The response of the posting routes as JSON Schema, for Fastify's serializer
 * (fast-json-stringify, compiled once per route): faster than JSON.stringify on this shape.
 * A response schema drops every property it does not list, so it lists every field of
 * TransactionDto and OperationDto, in the mapper's order (the same bytes as JSON.stringify;
 * transaction-response.schema.spec.ts compares them). No `format`: fast-json-stringify would
 * write a null date-time as "". Metadata objects pass through whole.
 */
const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const metadata = { type: 'object', additionalProperties: true } as const;
const status = { type: 'object', properties: { code: string, description: nullableString } } as const;
const snapshot = { type: 'object', properties: { available: string, onHold: string, version: { type: 'number' } } } as const;

export const OPERATION_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: string,
    transactionId: string,
    description: nullableString,
    type: string,
    assetCode: string,
    chartOfAccounts: nullableString,
    amount: { type: 'object', properties: { value: string } },
    balance: snapshot,
    balanceAfter: snapshot,
    status,
    accountId: string,
    accountAlias: string,
    balanceId: string,
    balanceKey: string,
    balanceAffected: { type: 'boolean' },
    organizationId: string,
    ledgerId: string,
    metadata,
    createdAt: string,
    updatedAt: string,
  },
} as const;

export const TRANSACTION_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: string,
    parentTransactionId: nullableString,
    description: nullableString,
    code: nullableString,
    status,
    amount: string,
    assetCode: string,
    chartOfAccountsGroupName: nullableString,
    source: { type: 'array', items: string },
    destination: { type: 'array', items: string },
    ledgerId: string,
    organizationId: string,
    operations: { type: 'array', items: OPERATION_RESPONSE_SCHEMA },
    metadata,
    expiresAt: nullableString,
    transactionDate: nullableString,
    createdAt: string,
    updatedAt: string,
    deletedAt: nullableString,
  },
} as const;

/** Fastify `response` schemas of a posting route: its 2xx answers (201, and a replay's stored status). */
export const POSTING_RESPONSE_SCHEMAS = { '2xx': TRANSACTION_RESPONSE_SCHEMA };

/** Fastify `response` schemas of POST transactions/batch: each item's transaction serialized like the single routes'. */
export const BATCH_RESPONSE_SCHEMAS = {
  '2xx': {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            index: { type: 'number' },
            status: { type: 'number' },
            transaction: TRANSACTION_RESPONSE_SCHEMA,
            error: { type: 'object', additionalProperties: true },
            replayed: { type: 'boolean' },
          },
        },
      },
    },
  },
} as const;
