import { randomUUID } from 'crypto';
import { Api } from './api';

export interface LedgerCtx {
  api: Api;
  org: string;
  ledger: string;
  /** Path prefix /v1/organizations/{org}/ledgers/{ledger} */
  base: string;
}

function ok<T>(res: { status: number; body: T }, what: string): T {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function newOrganization(api: Api, overrides: Record<string, unknown> = {}): Promise<string> {
  const body = ok(
    await api.post('/v1/organizations', { legalName: `Org ${randomUUID()}`, legalDocument: '12345678000199', ...overrides }),
    'create organization',
  );
  return (body as { id: string }).id;
}

/** A fresh organization and ledger, with asset USD (and its @external/USD account). */
export async function newLedger(api: Api, assets: string[] = ['USD']): Promise<LedgerCtx> {
  const org = await newOrganization(api);
  const ledger = (ok(await api.post(`/v1/organizations/${org}/ledgers`, { name: `Ledger ${randomUUID()}` }), 'create ledger') as {
    id: string;
  }).id;
  const ctx = { api, org, ledger, base: `/v1/organizations/${org}/ledgers/${ledger}` };
  for (const code of assets) await newAsset(ctx, code);
  return ctx;
}

export async function newAsset(ctx: LedgerCtx, code: string): Promise<string> {
  const body = ok(await ctx.api.post(`${ctx.base}/assets`, { name: code, type: 'currency', code }), 'create asset');
  return (body as { id: string }).id;
}

export async function newAccount(
  ctx: LedgerCtx,
  alias: string = `@acc-${randomUUID().slice(0, 8)}`,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; alias: string }> {
  const body = ok(
    await ctx.api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', alias, ...overrides }),
    'create account',
  );
  return body as { id: string; alias: string };
}
