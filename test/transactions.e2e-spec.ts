import { randomUUID } from 'crypto';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger, newOrganization } from './support/factories';
import {
  balanceOf,
  countTransactions,
  fund,
  fundedPair,
  inflowBody,
  outflowBody,
  setFlags,
  sleep,
  snapshotBalances,
  sql,
  transfer,
  transferBody,
  usd,
} from './support/postings';
import { CLEAN_BOOKS, checkBooks } from '../bench/books-check';
import { withHostClock } from './support/clock';
import { TEST_DATABASE_URL } from './support/test-env';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

describe('creating transactions', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await fundedPair(t.api);
  });

  it("stamps a posting with the database's time, whatever the app host's clock says", async () => {
    const own = await fundedPair(t.api);
    // Only Date is faked: the app (in this process) believes it is 2001.
    const res = await withHostClock(new Date('2001-01-01T00:00:00Z'), () =>
      t.api.post(`${own.base}/transactions/json`, transferBody('@a', '@b', '0.01')),
    );
    expect(res.status).toBe(201);
    const [db] = await sql('SELECT now() AS now');
    expect(Math.abs(new Date(res.body.createdAt).getTime() - db.now.getTime())).toBeLessThan(60_000);
    const [row] = await sql('SELECT created_at FROM transactions WHERE ledger_id = $1 AND id = $2', [own.ledger, res.body.id]);
    expect(row.created_at.toISOString()).toBe(res.body.createdAt);
  });

  it('POST /transactions/json answers 201 with the transaction, its DEBIT/CREDIT operations and their snapshots', async () => {
    const before = await balanceOf(ctx, '@a');
    const res = await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '30.25', { description: 'rent', code: 'R1', metadata: { k: 'v' } }));
    expect(res.status).toBe(201);
    const tx = res.body;
    expect(tx).toMatchObject({
      parentTransactionId: null,
      description: 'rent',
      code: 'R1',
      status: { code: 'APPROVED' },
      amount: '30.25',
      assetCode: 'USD',
      source: ['@a'],
      destination: ['@b'],
      ledgerId: ctx.ledger,
      organizationId: ctx.org,
      metadata: { k: 'v' },
      deletedAt: null,
    });
    expect(tx.id).toMatch(UUID);
    expect(tx.createdAt).toMatch(ISO);
    expect(tx.operations).toHaveLength(2);
    const debit = tx.operations.find((o: any) => o.type === 'DEBIT');
    const credit = tx.operations.find((o: any) => o.type === 'CREDIT');
    expect(debit).toMatchObject({
      transactionId: tx.id,
      accountAlias: '@a',
      balanceId: before.id,
      balanceKey: 'default',
      assetCode: 'USD',
      amount: { value: '30.25' },
      balance: { available: '100', onHold: '0', version: before.version },
      balanceAfter: { available: '69.75', onHold: '0', version: before.version + 1 },
    });
    expect(credit).toMatchObject({
      transactionId: tx.id,
      accountAlias: '@b',
      amount: { value: '30.25' },
      balance: { available: '0', onHold: '0', version: 0 },
      balanceAfter: { available: '30.25', onHold: '0', version: 1 },
    });
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '69.75', version: before.version + 1 });
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '30.25', version: 1 });
  });

  it('POST /transactions/inflow credits the destination from @external/USD, which goes negative', async () => {
    const ext0 = await balanceOf(ctx, '@external/USD');
    const res = await t.api.post(`${ctx.base}/transactions/inflow`, inflowBody('@b', '5.5'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: { code: 'APPROVED' }, amount: '5.5', source: ['@external/USD'], destination: ['@b'] });
    expect(res.body.operations.map((o: any) => `${o.type} ${o.accountAlias} ${o.amount.value}`).sort()).toEqual([
      'CREDIT @b 5.5',
      'DEBIT @external/USD 5.5',
    ]);
    const ext = await balanceOf(ctx, '@external/USD');
    expect(BigInt(ext.version)).toBe(BigInt(ext0.version) + 1n);
    expect(ext.available.startsWith('-')).toBe(true);
  });

  it('POST /transactions/outflow debits the source to @external/USD', async () => {
    const b0 = await balanceOf(ctx, '@b');
    const res = await t.api.post(`${ctx.base}/transactions/outflow`, outflowBody('@b', '0.5'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: { code: 'APPROVED' }, amount: '0.5', source: ['@b'], destination: ['@external/USD'] });
    expect(res.body.operations.map((o: any) => `${o.type} ${o.accountAlias}`).sort()).toEqual(['CREDIT @external/USD', 'DEBIT @b']);
    expect(await balanceOf(ctx, '@b')).toMatchObject({ version: b0.version + 1 });
  });

  it('splits amount, share and remaining legs exactly', async () => {
    const c = await newLedger(t.api);
    for (const a of ['@src', '@x', '@y', '@w', '@z']) await newAccount(c, a);
    await fund(c, '@src', '10');
    const res = await t.api.post(`${c.base}/transactions/json`, {
      send: {
        asset: 'USD',
        value: '10',
        source: { from: [{ accountAlias: '@src', remaining: 'remaining' }] },
        distribute: {
          to: [
            { accountAlias: '@x', amount: usd('1.5') },
            { accountAlias: '@y', share: { percentage: 25 } },
            { accountAlias: '@w', share: { percentage: 10, percentageOfPercentage: 0 } }, // 0 means 100, as in Midaz
            { accountAlias: '@z', remaining: 'remaining' },
          ],
        },
      },
    });
    expect(res.status).toBe(201);
    const credits = Object.fromEntries(res.body.operations.filter((o: any) => o.type === 'CREDIT').map((o: any) => [o.accountAlias, o.amount.value]));
    expect(credits).toEqual({ '@x': '1.5', '@y': '2.5', '@w': '1', '@z': '5' });
    expect((await balanceOf(c, '@src')).available).toBe('0');
    expect((await balanceOf(c, '@z')).available).toBe('5');
  });

  it('GET /transactions/{id} answers the same transaction and operations the POST answered', async () => {
    const posted = await transfer(ctx, '@a', '@b', '1');
    const res = await t.api.get(`${ctx.base}/transactions/${posted.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(posted);
    expect(res.body.operations[0].balance).toEqual(expect.objectContaining({ available: expect.any(String), onHold: '0', version: expect.any(Number) }));
  });

  it('stores text with quotes, backslashes, braces, commas and NULL exactly as sent (array parameters of the batch write)', async () => {
    const tricky = 'say "hi", {a,b} \\ NULL \\"';
    const body = transferBody('@a', '@b', '1', { description: tricky, code: 'NULL', metadata: { k: tricky } });
    body.send.distribute.to[0] = { ...body.send.distribute.to[0], description: tricky, metadata: { leg: tricky } } as never;
    const posted = await t.api.post(`${ctx.base}/transactions/json`, body);
    expect(posted.status).toBe(201);
    const read = await t.api.get(`${ctx.base}/transactions/${posted.body.id}`);
    expect(read.body).toEqual(posted.body);
    expect(read.body).toMatchObject({ description: tricky, code: 'NULL', metadata: { k: tricky } });
    const credit = read.body.operations.find((o: any) => o.type === 'CREDIT');
    expect(credit).toMatchObject({ accountAlias: '@b', description: tricky, metadata: { leg: tricky } });
  });

  it('GET /transactions/{id} of an unknown id answers 404 0007', async () => {
    expectError(await t.api.get(`${ctx.base}/transactions/${randomUUID()}`), 404, '0007');
  });

  it('a posting in another ledger cannot reach this ledger\'s aliases: 404 0085', async () => {
    const other = await newLedger(t.api);
    const before = await snapshotBalances(ctx);
    expectError(await t.api.post(`${other.base}/transactions/json`, transferBody('@a', '@b', '1')), 404, '0085');
    expect(await snapshotBalances(ctx)).toEqual(before);
  });
});

describe('listing transactions', () => {
  let ctx: LedgerCtx;
  const txs: any[] = [];
  beforeAll(async () => {
    ctx = await newLedger(t.api);
    await newAccount(ctx, '@l');
    for (let i = 1; i <= 5; i++) {
      txs.push((await t.api.post(`${ctx.base}/transactions/inflow`, inflowBody('@l', String(i), { metadata: { seq: String(i) } }))).body);
      await sleep(5); // distinct createdAt milliseconds for the date filters
    }
  });

  it('pages newest first with next_cursor and prev_cursor', async () => {
    const ids = (p: any) => p.items.map((x: any) => x.id);
    const p1 = (await t.api.get(`${ctx.base}/transactions?limit=2`)).body;
    expect(ids(p1)).toEqual([txs[4].id, txs[3].id]);
    expect(p1.limit).toBe(2);
    expect(p1.prev_cursor).toBeNull();
    expect(typeof p1.next_cursor).toBe('string');
    const p2 = (await t.api.get(`${ctx.base}/transactions?limit=2&cursor=${p1.next_cursor}`)).body;
    expect(ids(p2)).toEqual([txs[2].id, txs[1].id]);
    expect(typeof p2.prev_cursor).toBe('string');
    const p3 = (await t.api.get(`${ctx.base}/transactions?limit=2&cursor=${p2.next_cursor}`)).body;
    expect(ids(p3)).toEqual([txs[0].id]);
    expect(p3.next_cursor).toBeNull();
    const back = (await t.api.get(`${ctx.base}/transactions?limit=2&cursor=${p2.prev_cursor}`)).body;
    expect(ids(back)).toEqual([txs[4].id, txs[3].id]);
    expect(p1.items[0].operations).toHaveLength(2);
  });

  it('filters by start_date and end_date (inclusive)', async () => {
    const res = await t.api.get(`${ctx.base}/transactions?start_date=${txs[1].createdAt}&end_date=${txs[3].createdAt}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: any) => x.id)).toEqual([txs[3].id, txs[2].id, txs[1].id]);
  });

  it('filters by metadata.<key>', async () => {
    const res = await t.api.get(`${ctx.base}/transactions?metadata.seq=3`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: any) => x.id)).toEqual([txs[2].id]);
  });
});

describe('annotating transactions and operations', () => {
  let ctx: LedgerCtx;
  let tx: any;
  beforeAll(async () => {
    ctx = await fundedPair(t.api);
    tx = await transfer(ctx, '@a', '@b', '10');
  });

  it('PATCH /transactions/{id} updates description and metadata only', async () => {
    const res = await t.api.patch(`${ctx.base}/transactions/${tx.id}`, { description: 'renamed', metadata: { note: 'n1' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: tx.id, description: 'renamed', metadata: { note: 'n1' }, amount: '10', status: { code: 'APPROVED' } });
    const again = await t.api.get(`${ctx.base}/transactions/${tx.id}`);
    expect(again.body).toMatchObject({ description: 'renamed', metadata: { note: 'n1' } });
  });

  it('PATCH /transactions/{id} of an unknown id answers 404 0007', async () => {
    expectError(await t.api.patch(`${ctx.base}/transactions/${randomUUID()}`, { description: 'x' }), 404, '0007');
  });

  it.each([{ amount: '999' }, { status: { code: 'CANCELED' } }, { description: 'x', send: {} }])(
    'PATCH /transactions/{id} with %j answers 400 0053 and changes nothing',
    async (patch) => {
      const before = (await t.api.get(`${ctx.base}/transactions/${tx.id}`)).body;
      expectError(await t.api.patch(`${ctx.base}/transactions/${tx.id}`, patch), 400, '0053');
      expect((await t.api.get(`${ctx.base}/transactions/${tx.id}`)).body).toEqual(before);
    },
  );

  it('GET /accounts/{id}/operations lists the account operations, newest first, and /{op} gets one', async () => {
    const a = await balanceOf(ctx, '@a');
    const list = await t.api.get(`${ctx.base}/accounts/${a.accountId}/operations`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: any) => `${o.type} ${o.amount.value}`)).toEqual(['DEBIT 10', 'CREDIT 100']);
    expect(list.body.items.every((o: any) => o.accountId === a.accountId)).toBe(true);
    expect(list.body).toMatchObject({ next_cursor: null, prev_cursor: null });
    const op = list.body.items[0];
    const one = await t.api.get(`${ctx.base}/accounts/${a.accountId}/operations/${op.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(op);
    const b = await balanceOf(ctx, '@b');
    expectError(await t.api.get(`${ctx.base}/accounts/${b.accountId}/operations/${op.id}`), 404, '0007');
  });

  it('PATCH /transactions/{id}/operations/{op} updates the operation description and metadata', async () => {
    const op = tx.operations[0];
    const res = await t.api.patch(`${ctx.base}/transactions/${tx.id}/operations/${op.id}`, { description: 'leg', metadata: { m: '1' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: op.id, description: 'leg', metadata: { m: '1' }, amount: op.amount, balanceAfter: op.balanceAfter });
    const got = await t.api.get(`${ctx.base}/accounts/${op.accountId}/operations/${op.id}`);
    expect(got.body).toMatchObject({ description: 'leg', metadata: { m: '1' } });
    expectError(await t.api.patch(`${ctx.base}/transactions/${tx.id}/operations/${op.id}`, { amount: { value: '1' } }), 400, '0053');
  });
});

describe('balance routes', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await fundedPair(t.api);
  });

  it('GET /balances, /balances/{id}, /accounts/{id}/balances, alias and external routes agree', async () => {
    const list = await t.api.get(`${ctx.base}/balances`);
    expect(list.status).toBe(200);
    const byAlias = Object.fromEntries(list.body.items.map((b: any) => [b.alias, b]));
    expect(Object.keys(byAlias).sort()).toEqual(['@a', '@b', '@external/USD']);
    expect(byAlias['@a']).toMatchObject({ available: '100', onHold: '0', version: 1, key: 'default', assetCode: 'USD', allowSending: true, allowReceiving: true });
    expect(byAlias['@external/USD']).toMatchObject({ available: '-100', accountType: 'external' });
    const a = byAlias['@a'];
    expect((await t.api.get(`${ctx.base}/balances/${a.id}`)).body).toEqual(a);
    expect((await t.api.get(`${ctx.base}/accounts/${a.accountId}/balances`)).body.items).toEqual([a]);
    expect((await t.api.get(`${ctx.base}/accounts/alias/@a/balances`)).body.items).toEqual([a]);
    expect((await t.api.get(`${ctx.base}/accounts/external/USD/balances`)).body.items).toEqual([byAlias['@external/USD']]);
  });

  it('PATCH /balances/{id} allowSending:false blocks debits (422 0019) until re-enabled', async () => {
    const a = await balanceOf(ctx, '@a');
    const res = await t.api.patch(`${ctx.base}/balances/${a.id}`, { allowSending: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: a.id, allowSending: false, allowReceiving: true, available: '100' });
    const before = await snapshotBalances(ctx);
    expectError(await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '1')), 422, '0019');
    expect(await snapshotBalances(ctx)).toEqual(before);
    expect((await t.api.patch(`${ctx.base}/balances/${a.id}`, { allowSending: true })).body.allowSending).toBe(true);
    expect((await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '1'))).status).toBe(201);
  });

  it('PATCH /balances/{id} allowReceiving:false blocks credits (422 0019)', async () => {
    const b = await balanceOf(ctx, '@b');
    const res = await t.api.patch(`${ctx.base}/balances/${b.id}`, { allowReceiving: false });
    expect(res.body).toMatchObject({ allowReceiving: false, allowSending: true });
    const before = await snapshotBalances(ctx);
    expectError(await t.api.post(`${ctx.base}/transactions/inflow`, inflowBody('@b', '1')), 422, '0019');
    expectError(await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '1')), 422, '0019');
    expect(await snapshotBalances(ctx)).toEqual(before);
    await t.api.patch(`${ctx.base}/balances/${b.id}`, { allowReceiving: true });
  });

  it('DELETE /balances/{id} of a non-zero balance answers 422 0016 and keeps it', async () => {
    const a = await balanceOf(ctx, '@a');
    expectError(await t.api.delete(`${ctx.base}/balances/${a.id}`), 422, '0016');
    expect((await t.api.get(`${ctx.base}/balances/${a.id}`)).status).toBe(200);
  });

  it('DELETE /balances/{id} of a zero balance answers 204 and the balance is gone', async () => {
    await newAccount(ctx, '@empty');
    const e = await balanceOf(ctx, '@empty');
    const res = await t.api.delete(`${ctx.base}/balances/${e.id}`);
    expect(res.status).toBe(204);
    expectError(await t.api.get(`${ctx.base}/balances/${e.id}`), 404, '0007');
    expect((await t.api.get(`${ctx.base}/balances`)).body.items.map((b: any) => b.id)).not.toContain(e.id);
  });
});

describe('refusals are 4xx with a stable code and change no balance', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await newLedger(t.api, ['USD', 'EUR']);
    await newAccount(ctx, '@rich');
    await newAccount(ctx, '@poor');
    await newAccount(ctx, '@euro', { assetCode: 'EUR' });
    await fund(ctx, '@rich', '100');
    await fund(ctx, '@poor', '5');
  });

  /** Posts, expects the error, and checks that no balance and no transaction changed. */
  async function refused(path: string, body: unknown, status: number, code?: string, headers?: Record<string, string>): Promise<any> {
    const before = await snapshotBalances(ctx);
    const count = await countTransactions(ctx.ledger);
    const err = expectError(await t.api.post(`${ctx.base}/transactions/${path}`, body, headers), status, code);
    expect(await snapshotBalances(ctx)).toEqual(before);
    expect(await countTransactions(ctx.ledger)).toBe(count);
    return err;
  }

  it('insufficient funds: 422 0018 naming balanceId, available and required', async () => {
    const poor = await balanceOf(ctx, '@poor');
    const err = await refused('json', transferBody('@poor', '@rich', '5.01'), 422, '0018');
    expect(err).toMatchObject({ balanceId: poor.id, available: '5', required: '5.01' });
  });

  it('insufficient funds on an outflow: 422 0018', async () => {
    await refused('outflow', outflowBody('@poor', '6'), 422, '0018');
  });

  it('unknown alias: 404 0085', async () => {
    await refused('json', transferBody('@rich', '@nobody', '1'), 404, '0085');
  });

  it('asset mismatch between a leg amount and send.asset: 0030', async () => {
    const body = transferBody('@rich', '@poor', '1');
    body.send.distribute.to[0].amount = { asset: 'EUR', value: '1' };
    await refused('json', body, 422, '0030');
  });

  it('asset mismatch with the account balance: 0030', async () => {
    await refused('json', transferBody('@rich', '@euro', '1'), 422, '0030');
  });

  it('share that does not divide exactly: 422 1011', async () => {
    await refused(
      'json',
      {
        send: {
          asset: 'USD',
          value: '0.000000000000000003',
          source: { from: [{ accountAlias: '@rich', remaining: 'remaining' }] },
          distribute: { to: [{ accountAlias: '@poor', share: { percentage: 50 } }, { accountAlias: '@external/USD', remaining: 'remaining' }] },
        },
      },
      422,
      '1011',
    );
  });

  it('legs not summing to send.value: 422 0073', async () => {
    const body = transferBody('@rich', '@poor', '10');
    body.send.distribute.to[0].amount = usd('9.99');
    await refused('json', body, 422, '0073');
  });

  it('same alias on both sides: 0090', async () => {
    await refused('json', transferBody('@rich', '@rich', '1'), 422, '0090');
  });

  // An invalid amount is a 400 naming the field; the schema answers 0047, the exact money
  // parser (what a regex cannot check, e.g. 38 significant digits) 1010.
  const BAD_AMOUNTS: unknown[] = ['1e3', '-5', '0', '0.00', 'NaN', 'Infinity', '1.0000000000000000001', '1234567890123456789012345678901234567890', ' 1', '01', 100];

  it.each(BAD_AMOUNTS)('send.value %j: 400 naming send.value', async (value) => {
    const body: any = transferBody('@rich', '@poor', '1');
    body.send.value = value;
    const err = await refused('json', body, 400);
    expect(['0047', '1010']).toContain(err.code);
    expect(Object.keys(err.fields ?? {})).toContain('send.value');
  });

  it.each(BAD_AMOUNTS)('leg amount.value %j: 400 naming the leg', async (value) => {
    const body: any = transferBody('@rich', '@poor', '1');
    body.send.source.from[0].amount.value = value;
    const err = await refused('json', body, 400);
    expect(['0047', '1010']).toContain(err.code);
    expect(Object.keys(err.fields ?? {}).join(' ')).toMatch(/send\.source\.from\.0\.amount\.value/);
  });

  it('sending disabled on the source balance: 422 0019', async () => {
    const rich = await balanceOf(ctx, '@rich');
    await setFlags(rich.id, { allowSending: false });
    try {
      await refused('json', transferBody('@rich', '@poor', '1'), 422, '0019');
    } finally {
      await setFlags(rich.id, { allowSending: true });
    }
  });

  it('receiving disabled on the destination balance: 422 0019', async () => {
    const poor = await balanceOf(ctx, '@poor');
    await setFlags(poor.id, { allowReceiving: false });
    try {
      await refused('json', transferBody('@rich', '@poor', '1'), 422, '0019');
      await refused('inflow', inflowBody('@poor', '1'), 422, '0019');
    } finally {
      await setFlags(poor.id, { allowReceiving: true });
    }
  });

  it('a 300-character X-Idempotency: 400 1012', async () => {
    await refused('json', transferBody('@rich', '@poor', '1'), 400, '1012', { 'X-Idempotency': 'k'.repeat(300) });
  });

  it.each(['0', 'abc', '-1', '2592001', '1.5'])('X-TTL %j: 400 1012', async (ttl) => {
    await refused('json', transferBody('@rich', '@poor', '1'), 400, '1012', { 'X-Idempotency': randomUUID(), 'X-TTL': ttl });
  });

  it('the ledger under another organization: 404 0007 on every posting route, nothing changes', async () => {
    const other = await newOrganization(t.api);
    const foreign = `/v1/organizations/${other}/ledgers/${ctx.ledger}/transactions`;
    const before = await snapshotBalances(ctx);
    const count = await countTransactions(ctx.ledger);
    for (const [path, body] of [
      ['json', transferBody('@rich', '@poor', '1')],
      ['inflow', inflowBody('@poor', '1')],
      ['outflow', outflowBody('@rich', '1')],
    ] as const) {
      const err = expectError(await t.api.post(`${foreign}/${path}`, body), 404, '0007');
      expect(err.entityType ?? err.message).toContain('Ledger');
    }
    expect(await snapshotBalances(ctx)).toEqual(before);
    expect(await countTransactions(ctx.ledger)).toBe(count);
  });
});

describe('idempotency', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await fundedPair(t.api);
  });

  it('replays the same key and body: same body, X-Idempotency-Replayed: true, one transaction', async () => {
    const key = randomUUID();
    const body = transferBody('@a', '@b', '2');
    const count = await countTransactions(ctx.ledger);
    const first = await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': key, 'X-TTL': '60' });
    expect(first.status).toBe(201);
    expect(first.headers.get('x-idempotency-replayed')).toBeNull();
    const a1 = await balanceOf(ctx, '@a');
    const second = await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': key, 'X-TTL': '60' });
    expect([200, 201]).toContain(second.status);
    expect(second.headers.get('x-idempotency-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await countTransactions(ctx.ledger)).toBe(count + 1);
    expect(await balanceOf(ctx, '@a')).toEqual(a1);
  });

  it('refuses the same key with a different body: 409 0084, nothing applied', async () => {
    const key = randomUUID();
    expect((await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '1'), { 'X-Idempotency': key })).status).toBe(201);
    const before = await snapshotBalances(ctx);
    const count = await countTransactions(ctx.ledger);
    expectError(await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@b', '3'), { 'X-Idempotency': key }), 409, '0084');
    expect(await snapshotBalances(ctx)).toEqual(before);
    expect(await countTransactions(ctx.ledger)).toBe(count);
  });

  it('without a key, two identical posts make two transactions', async () => {
    const a0 = await balanceOf(ctx, '@a');
    const body = transferBody('@a', '@b', '1.5');
    const r1 = await t.api.post(`${ctx.base}/transactions/json`, body);
    const r2 = await t.api.post(`${ctx.base}/transactions/json`, body);
    expect([r1.status, r2.status]).toEqual([201, 201]);
    expect(r1.body.id).not.toBe(r2.body.id);
    expect(await balanceOf(ctx, '@a')).toMatchObject({ version: a0.version + 2 });
    expect((await balanceOf(ctx, '@a')).available).not.toBe(a0.available);
  });

  it('never replays a stored response to a request naming another organization: 404, the key untouched', async () => {
    const key = randomUUID();
    const body = transferBody('@a', '@b', '1');
    expect((await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': key })).status).toBe(201);
    const other = await newOrganization(t.api);
    const foreign = await t.api.post(`/v1/organizations/${other}/ledgers/${ctx.ledger}/transactions/json`, body, { 'X-Idempotency': key });
    expectError(foreign, 404, '0007');
    const replay = await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': key });
    expect(replay.headers.get('x-idempotency-replayed')).toBe('true');
  });

  it('refuses postings into a deleted ledger: 404 0007', async () => {
    const gone = await newLedger(t.api);
    await newAccount(gone, '@a');
    await newAccount(gone, '@b');
    expect((await t.api.delete(`/v1/organizations/${gone.org}/ledgers/${gone.ledger}`)).status).toBe(204);
    expectError(await t.api.post(`${gone.base}/transactions/json`, transferBody('@a', '@b', '1')), 404, '0007');
    expectError(await t.api.post(`${gone.base}/transactions/inflow`, inflowBody('@b', '1')), 404, '0007');
  });

  it('a refused posting releases its key: the same key succeeds once funds arrive', async () => {
    const key = randomUUID();
    await newAccount(ctx, '@late');
    const body = transferBody('@late', '@b', '7');
    expectError(await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': key }), 422, '0018');
    await fund(ctx, '@late', '7');
    const res = await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': key });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-idempotency-replayed')).toBeNull();
    expect((await balanceOf(ctx, '@late')).available).toBe('0');
  });
});

describe('books', () => {
  it('are clean after every scenario above', async () => {
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
  });
});
