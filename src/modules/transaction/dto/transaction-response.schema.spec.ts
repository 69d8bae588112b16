import Fastify from 'fastify';
import { toTransactionDto } from '../transaction.mapper';
import { OperationRecord, TransactionWithOperations } from '../transaction.types';
import { OPERATION_RESPONSE_SCHEMA, POSTING_RESPONSE_SCHEMAS, TRANSACTION_RESPONSE_SCHEMA } from './transaction-response.schema';

const at = new Date('2026-12-01T12:00:00.123Z');
const units = (s: string) => BigInt(s) * 10n ** 16n; // hundredths

function operation(type: OperationRecord['type'], extra: Partial<OperationRecord> = {}): OperationRecord {
  return {
    id: '019a0000-0000-7000-8000-000000000001',
    organizationId: '019a0000-0000-7000-8000-0000000000aa',
    ledgerId: '019a0000-0000-7000-8000-0000000000bb',
    transactionId: '019a0000-0000-7000-8000-0000000000cc',
    balanceId: '019a0000-0000-7000-8000-0000000000dd',
    accountId: '019a0000-0000-7000-8000-0000000000ee',
    accountAlias: '@alice',
    balanceKey: 'default',
    assetCode: 'USD',
    type,
    amount: units('1050'),
    before: { available: units('10000'), onHold: 0n, version: 3n },
    after: { available: units('8950'), onHold: 0n, version: 4n },
    description: null,
    chartOfAccounts: null,
    status: 'APPROVED',
    metadata: {},
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    ...extra,
  };
}

function transaction(extra: Partial<TransactionWithOperations> = {}): TransactionWithOperations {
  return {
    id: '019a0000-0000-7000-8000-0000000000cc',
    organizationId: '019a0000-0000-7000-8000-0000000000aa',
    ledgerId: '019a0000-0000-7000-8000-0000000000bb',
    parentTransactionId: null,
    description: null,
    code: null,
    chartOfAccountsGroupName: null,
    status: 'APPROVED',
    statusDescription: null,
    amount: units('1050'),
    assetCode: 'USD',
    source: ['@alice'],
    destination: ['@bob'],
    body: { asset: 'USD', value: '10.5', sources: [], destinations: [] },
    metadata: {},
    idempotencyKey: null,
    expiresAt: null,
    transactionDate: null,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    operations: [operation('DEBIT'), operation('CREDIT', { accountAlias: '@bob' })],
    ...extra,
  };
}

describe('posting response schema', () => {
  const app = Fastify();
  let next: unknown;
  app.post('/t', { schema: { response: POSTING_RESPONSE_SCHEMAS } }, async (_req, reply) => {
    void reply.status(201);
    return next;
  });
  afterAll(() => app.close());

  it('lists every field of the mapper output, in its order', () => {
    const dto = toTransactionDto(transaction());
    expect(Object.keys(TRANSACTION_RESPONSE_SCHEMA.properties)).toEqual(Object.keys(dto));
    expect(Object.keys(OPERATION_RESPONSE_SCHEMA.properties)).toEqual(Object.keys(dto.operations[0]));
    expect(Object.keys(TRANSACTION_RESPONSE_SCHEMA.properties.status.properties)).toEqual(Object.keys(dto.status));
    expect(Object.keys(OPERATION_RESPONSE_SCHEMA.properties.balance.properties)).toEqual(Object.keys(dto.operations[0].balance));
  });

  it.each([
    ['a plain transfer', transaction()],
    [
      'every nullable field set, metadata, text that needs escaping',
      transaction({
        parentTransactionId: '019a0000-0000-7000-8000-0000000000ff',
        description: 'quote " backslash \\ newline \n emoji \u{1F600} \u2028',
        code: 'C-1',
        chartOfAccountsGroupName: 'group',
        statusDescription: 'custom',
        metadata: { costCenter: 'CC-42', n: 1.5, big: 12345678901234, yes: true, none: null, 'ключ': 'значение', '1': 'numeric key' },
        expiresAt: new Date('2026-12-02T00:00:00Z'),
        transactionDate: new Date('0001-01-01T00:00:00Z'),
        deletedAt: at,
        operations: [
          operation('ON_HOLD', { description: 'hold "x"', chartOfAccounts: 'coa', metadata: { a: 'b' }, after: { available: 0n, onHold: units('1050'), version: 9007199254740991n } }),
        ],
      }),
    ],
    ['no operations, several aliases', transaction({ operations: [], source: ['@a', '@b'], destination: [] })],
  ])('serializes %s exactly as JSON.stringify does', async (_name, tx) => {
    next = toTransactionDto(tx);
    const res = await app.inject({ method: 'POST', url: '/t' });
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe(JSON.stringify(next));
  });

  it('serializes a stored response read back from jsonb (other key order) with the same fields and values', async () => {
    const dto = toTransactionDto(transaction({ metadata: { z: 1, a: 'x' } }));
    const reordered = Object.fromEntries(Object.entries(dto).reverse());
    next = reordered;
    const res = await app.inject({ method: 'POST', url: '/t' });
    expect(JSON.parse(res.body)).toEqual(dto);
    expect(res.body).toBe(JSON.stringify(dto));
  });
});
