import { startApp, TestApp } from './app';
import { LedgerCtx, newAccount, newLedger } from './factories';
import { fund } from './postings';

/**
 * An app that waits 150 ms before taking a batch (so concurrent requests share one) and a fresh
 * ledger with `funded` (100) and `other` (empty); the app is closed afterwards.
 */
export async function withOneBatchApp(funded: string, other: string, fn: (app: TestApp, ctx: LedgerCtx) => Promise<void>): Promise<void> {
  const slow = await startApp({ POSTING_BATCH_WAIT_MS: '150' });
  try {
    const ctx = await newLedger(slow.api);
    await newAccount(ctx, funded);
    await newAccount(ctx, other);
    await fund(ctx, funded, '100');
    await fn(slow, ctx);
  } finally {
    await slow.close();
  }
}
