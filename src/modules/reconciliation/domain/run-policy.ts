import {
  BooksStatus,
  CheckDelta,
  CheckStatus,
  CheckSummary,
  FindingSeverity,
  LedgerFinding,
  RunDelta,
  RunMode,
} from '../reconciliation.types';

/** Pure rules of a run: which mode, which status, what changed. No I/O. */

export interface ModeInput {
  /** ?full=true, --full, or a forced mode from code. */
  requested?: RunMode;
  checkpoint: { verifiedUntil: Date; runsSinceFull: number } | null;
  /** Status of the previous finished run (null: none). */
  previousStatus: BooksStatus | null;
  /** RECONCILIATION_FULL_EVERY: every Nth run is full. */
  fullEvery: number;
}

export interface ModeDecision {
  mode: RunMode;
  reason: string;
  /** Changes at or after this time are verified (incremental only). */
  since: Date | null;
}

/**
 * Full when asked, when there is no checkpoint yet, when the previous run was not HEALTHY (so
 * a status only returns to HEALTHY once the whole books are proven again), and every
 * `fullEvery` runs; incremental otherwise. A forced incremental still needs a checkpoint.
 */
export function decideMode(input: ModeInput): ModeDecision {
  const full = (reason: string): ModeDecision => ({ mode: 'full', reason, since: null });
  if (input.requested === 'full') return full('requested');
  if (!input.checkpoint) return full('no checkpoint yet');
  const incremental = { mode: 'incremental' as const, since: input.checkpoint.verifiedUntil };
  if (input.requested === 'incremental') return { ...incremental, reason: 'requested' };
  if (input.previousStatus && input.previousStatus !== 'HEALTHY') return full(`previous run was ${input.previousStatus}`);
  if (input.checkpoint.runsSinceFull + 1 >= input.fullEvery) return full(`every ${input.fullEvery} runs`);
  return { ...incremental, reason: `changes since the checkpoint (${input.checkpoint.runsSinceFull + 1} of ${input.fullEvery - 1} before the next full pass)` };
}

const RANK: Record<BooksStatus, number> = { HEALTHY: 0, WARNING: 1, CRITICAL: 2 };

export function worst(a: BooksStatus, b: BooksStatus): BooksStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A check's status from its findings (INFO never counts). */
export function checkStatusOf(findings: Array<{ severity: FindingSeverity }>): CheckStatus {
  if (findings.some((f) => f.severity === 'CRITICAL')) return 'CRITICAL';
  if (findings.some((f) => f.severity === 'WARNING')) return 'WARNING';
  return 'OK';
}

/**
 * The books' status from the checks: the worst of them. A check that could not run (ERROR)
 * proves nothing, so it makes the run at least WARNING, and CRITICAL when the last status it
 * proved was CRITICAL; a SKIPPED check (the cache check with Redis down) does not count, because
 * Redis is never the truth.
 */
export function booksStatusOf(checks: Array<{ status: CheckStatus; lastProven?: CheckStatus }>): BooksStatus {
  let status: BooksStatus = 'HEALTHY';
  for (const c of checks) {
    if (provenStatus(c) === 'CRITICAL') status = worst(status, 'CRITICAL');
    else if (c.status === 'WARNING' || c.status === 'ERROR') status = worst(status, 'WARNING');
  }
  return status;
}

/** The status a check last proved: its own, or for a failed check the one carried from earlier runs. */
export function provenStatus(check: { status: CheckStatus; lastProven?: CheckStatus }): CheckStatus | undefined {
  return check.status === 'ERROR' ? check.lastProven : check.status;
}

/** Issues (WARNING + CRITICAL) and INFO counts of a set of findings. */
export function countFindings(findings: LedgerFinding[]): { issues: number; info: number } {
  let issues = 0;
  let info = 0;
  for (const f of findings) {
    if (f.severity === 'INFO') info += f.count;
    else issues += f.count;
  }
  return { issues, info };
}

/** At most `limit` samples across ledgers, worst severity and most issues first. */
export function pickSamples(findings: LedgerFinding[], limit: number): CheckSummary['samples'] {
  const order = (f: LedgerFinding) => (f.severity === 'CRITICAL' ? 0 : f.severity === 'WARNING' ? 1 : 2);
  const ranked = findings.filter((f) => f.severity !== 'INFO').sort((a, b) => order(a) - order(b) || b.count - a.count);
  const out: CheckSummary['samples'] = [];
  // Round robin over ledgers, so one noisy ledger does not hide the others.
  for (let i = 0; out.length < limit; i++) {
    let took = false;
    for (const f of ranked) {
      if (i < f.samples.length && out.length < limit) {
        out.push(f.samples[i]);
        took = true;
      }
    }
    if (!took) break;
  }
  return out;
}

export interface PreviousRun {
  id: string;
  status: BooksStatus;
  checks: Array<{ name: string; issues: number; status: CheckStatus; lastProven?: CheckStatus }>;
}

/**
 * The delta of a run from the previous finished one (per check issue counts and the status). A
 * check that failed in either run has no change: its 0 issues are unknown, not fixed.
 */
export function computeDelta(
  previous: PreviousRun | null,
  status: BooksStatus,
  checks: Array<{ name: string; issues: number; status?: CheckStatus }>,
): RunDelta {
  const before = new Map(previous?.checks.map((c) => [c.name, c.issues]));
  const failedBefore = new Set(previous?.checks.filter((c) => c.status === 'ERROR').map((c) => c.name));
  const total = checks.reduce((s, c) => s + c.issues, 0);
  const previousTotal = previous ? previous.checks.reduce((s, c) => s + c.issues, 0) : null;
  const deltas: CheckDelta[] = checks.map((c) => {
    const p = previous ? (before.get(c.name) ?? 0) : null;
    const unknown = p === null || c.status === 'ERROR' || failedBefore.has(c.name);
    return { name: c.name, previous: p, current: c.issues, change: unknown ? null : c.issues - p };
  });
  return {
    previousRunId: previous?.id ?? null,
    status: { previous: previous?.status ?? null, current: status, changed: previous !== null && previous.status !== status },
    issues: { previous: previousTotal, current: total, change: previousTotal === null ? null : total - previousTotal },
    checks: deltas,
  };
}

/** Whether this run is a transition to CRITICAL (alerts fire once per transition). */
export function becameCritical(previous: BooksStatus | null, current: BooksStatus): boolean {
  return current === 'CRITICAL' && previous !== 'CRITICAL';
}
