import { becameCritical, booksStatusOf, checkStatusOf, computeDelta, decideMode, pickSamples, provenStatus } from './run-policy';
import { LedgerFinding } from '../reconciliation.types';

const checkpoint = (runsSinceFull: number) => ({ verifiedUntil: new Date('2025-01-01T00:00:00Z'), runsSinceFull });

describe('decideMode', () => {
  it.each([
    ['full on request', { requested: 'full' as const, checkpoint: checkpoint(0), previousStatus: 'HEALTHY' as const }, 'full', 'requested'],
    ['full without a checkpoint', { checkpoint: null, previousStatus: null }, 'full', 'no checkpoint yet'],
    ['full without a checkpoint even when incremental is asked', { requested: 'incremental' as const, checkpoint: null, previousStatus: null }, 'full', 'no checkpoint yet'],
    ['full after a WARNING run', { checkpoint: checkpoint(0), previousStatus: 'WARNING' as const }, 'full', 'previous run was WARNING'],
    ['full after a CRITICAL run', { checkpoint: checkpoint(3), previousStatus: 'CRITICAL' as const }, 'full', 'previous run was CRITICAL'],
    ['full when the Nth run is due', { checkpoint: checkpoint(11), previousStatus: 'HEALTHY' as const }, 'full', 'every 12 runs'],
    ['incremental otherwise', { checkpoint: checkpoint(10), previousStatus: 'HEALTHY' as const }, 'incremental', undefined],
    ['incremental when forced, whatever the previous status', { requested: 'incremental' as const, checkpoint: checkpoint(11), previousStatus: 'CRITICAL' as const }, 'incremental', 'requested'],
  ])('%s', (_name, input, mode, reason) => {
    const d = decideMode({ fullEvery: 12, ...input });
    expect(d.mode).toBe(mode);
    if (reason) expect(d.reason).toBe(reason);
    expect(d.since).toEqual(mode === 'incremental' ? new Date('2025-01-01T00:00:00Z') : null);
  });

  it('with RECONCILIATION_FULL_EVERY=3, runs go full, incremental, incremental, full...', () => {
    let runsSinceFull: number | null = null;
    const modes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const d = decideMode({ fullEvery: 3, checkpoint: runsSinceFull === null ? null : checkpoint(runsSinceFull), previousStatus: 'HEALTHY' });
      modes.push(d.mode);
      runsSinceFull = d.mode === 'full' ? 0 : (runsSinceFull ?? 0) + 1;
    }
    expect(modes).toEqual(['full', 'incremental', 'incremental', 'full', 'incremental', 'incremental', 'full']);
  });

  it('with RECONCILIATION_FULL_EVERY=1 every run is full', () => {
    expect(decideMode({ fullEvery: 1, checkpoint: checkpoint(0), previousStatus: 'HEALTHY' }).mode).toBe('full');
  });
});

describe('statuses', () => {
  it('a check is as bad as its worst finding; INFO never counts', () => {
    expect(checkStatusOf([])).toBe('OK');
    expect(checkStatusOf([{ severity: 'INFO' }])).toBe('OK');
    expect(checkStatusOf([{ severity: 'INFO' }, { severity: 'WARNING' }])).toBe('WARNING');
    expect(checkStatusOf([{ severity: 'WARNING' }, { severity: 'CRITICAL' }])).toBe('CRITICAL');
  });

  it('the books are as bad as the worst check; a failed check is WARNING, a skipped one nothing', () => {
    expect(booksStatusOf([{ status: 'OK' }, { status: 'SKIPPED' }])).toBe('HEALTHY');
    expect(booksStatusOf([{ status: 'OK' }, { status: 'ERROR' }])).toBe('WARNING');
    expect(booksStatusOf([{ status: 'WARNING' }, { status: 'CRITICAL' }, { status: 'OK' }])).toBe('CRITICAL');
  });

  it('a failed check keeps the books CRITICAL when CRITICAL is the last status it proved', () => {
    expect(booksStatusOf([{ status: 'OK' }, { status: 'ERROR', lastProven: 'CRITICAL' }])).toBe('CRITICAL');
    expect(booksStatusOf([{ status: 'OK' }, { status: 'ERROR', lastProven: 'OK' }])).toBe('WARNING');
    expect(provenStatus({ status: 'ERROR', lastProven: 'CRITICAL' })).toBe('CRITICAL');
    expect(provenStatus({ status: 'ERROR' })).toBeUndefined();
    expect(provenStatus({ status: 'WARNING', lastProven: 'CRITICAL' })).toBe('WARNING');
  });

  it('alerts fire on a transition to CRITICAL only', () => {
    expect(becameCritical(null, 'CRITICAL')).toBe(true);
    expect(becameCritical('WARNING', 'CRITICAL')).toBe(true);
    expect(becameCritical('CRITICAL', 'CRITICAL')).toBe(false);
    expect(becameCritical('HEALTHY', 'WARNING')).toBe(false);
  });
});

describe('computeDelta', () => {
  it('compares issue counts per check and the status with the previous run', () => {
    const d = computeDelta(
      { id: 'p', status: 'WARNING', checks: [{ name: 'a', issues: 0, status: 'OK' }, { name: 'b', issues: 2, status: 'WARNING' }] },
      'CRITICAL',
      [{ name: 'a', issues: 3 }, { name: 'b', issues: 1 }, { name: 'c', issues: 0 }],
    );
    expect(d).toEqual({
      previousRunId: 'p',
      status: { previous: 'WARNING', current: 'CRITICAL', changed: true },
      issues: { previous: 2, current: 4, change: 2 },
      checks: [
        { name: 'a', previous: 0, current: 3, change: 3 },
        { name: 'b', previous: 2, current: 1, change: -1 },
        { name: 'c', previous: 0, current: 0, change: 0 },
      ],
    });
  });

  it('has no change for a check that failed in either run (its 0 issues are unknown, not fixed)', () => {
    const d = computeDelta(
      { id: 'p', status: 'CRITICAL', checks: [{ name: 'a', issues: 4, status: 'CRITICAL' }, { name: 'b', issues: 0, status: 'ERROR' }] },
      'CRITICAL',
      [{ name: 'a', issues: 0, status: 'ERROR' }, { name: 'b', issues: 1, status: 'WARNING' }],
    );
    expect(d.checks).toEqual([
      { name: 'a', previous: 4, current: 0, change: null },
      { name: 'b', previous: 0, current: 1, change: null },
    ]);
  });

  it('has no previous values for the first run', () => {
    const d = computeDelta(null, 'HEALTHY', [{ name: 'a', issues: 0 }]);
    expect(d.status).toEqual({ previous: null, current: 'HEALTHY', changed: false });
    expect(d.checks).toEqual([{ name: 'a', previous: null, current: 0, change: null }]);
  });
});

describe('pickSamples', () => {
  const finding = (ledgerId: string, severity: LedgerFinding['severity'], n: number): LedgerFinding => ({
    organizationId: 'o',
    ledgerId,
    severity,
    count: n,
    samples: Array.from({ length: n }, (_, i) => ({ entity: 'balance', id: `${ledgerId}-${i}`, ledgerId })),
  });

  it('takes samples round robin over ledgers, CRITICAL first, never INFO, at most the limit', () => {
    const picked = pickSamples([finding('w', 'WARNING', 2), finding('c', 'CRITICAL', 5), finding('i', 'INFO', 3)], 4);
    expect(picked.map((s) => s.id)).toEqual(['c-0', 'w-0', 'c-1', 'w-1']);
  });
});
