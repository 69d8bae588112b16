import { describeProgress } from './reconcile';

describe('describeProgress (npm run reconcile on a terminal)', () => {
  it('names the running check, i of n, the rows scanned so far and the time elapsed', () => {
    expect(describeProgress({ phase: 'check-started', index: 3, total: 12, check: 'balance-fold', scanned: 12345, elapsedMs: 4210 })).toBe(
      'check 3 of 12: balance-fold · 12,345 rows scanned · 4.2 s',
    );
    expect(describeProgress({ phase: 'check-finished', index: 12, total: 12, check: 'cache-drift', scanned: 0, elapsedMs: 50 })).toBe(
      'check 12 of 12 done (cache-drift) · 0 rows scanned · 0.1 s',
    );
  });
});
