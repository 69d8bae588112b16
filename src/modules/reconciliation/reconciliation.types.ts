/** The vocabulary of reconciliation reports (DESIGN section 5). */

/** HEALTHY: no issue. WARNING: issues that move no money. CRITICAL: a money invariant is broken. */
export type BooksStatus = 'HEALTHY' | 'WARNING' | 'CRITICAL';
export const BOOKS_STATUSES: readonly BooksStatus[] = ['HEALTHY', 'WARNING', 'CRITICAL'];

export type RunState = 'RUNNING' | 'FINISHED' | 'FAILED' | 'ABANDONED';
export type RunTrigger = 'schedule' | 'api' | 'cli';
export type RunMode = 'full' | 'incremental';

/** A check's outcome: OK, the severity of what it found, or why it could not say. */
export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'SKIPPED' | 'ERROR';

/** INFO findings are counted and shown, never raise the status (missing cache entries). */
export type FindingSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** One example of an issue: what it is about, what was expected and what was found. */
export interface Sample {
  entity: string;
  id: string;
  ledgerId: string;
  expected?: unknown;
  actual?: unknown;
  [detail: string]: unknown;
}

/** What one check found in one ledger, at one severity. */
export interface LedgerFinding {
  organizationId: string;
  ledgerId: string;
  severity: FindingSeverity;
  count: number;
  samples: Sample[];
}

/** A check's line in a report. `issues` counts WARNING and CRITICAL findings, never INFO. */
export interface CheckSummary {
  name: string;
  title: string;
  /** The severity rule, in words. */
  raises: string;
  status: CheckStatus;
  durationMs: number;
  /** Rows the check verified (balances, transactions, operations, keys...). */
  scanned: number;
  issues: number;
  info: Record<string, number>;
  samples: Sample[];
  /** Why the check was skipped or failed. */
  note?: string;
  /**
   * For a check that failed (ERROR): the last status it proved in an earlier run, carried
   * forward, so a failure never turns a known CRITICAL into something milder.
   */
  lastProven?: CheckStatus;
}

export interface CheckDelta {
  name: string;
  previous: number | null;
  current: number;
  change: number | null;
}

/** The difference from the previous finished run. */
export interface RunDelta {
  previousRunId: string | null;
  status: { previous: BooksStatus | null; current: BooksStatus; changed: boolean };
  issues: { previous: number | null; current: number; change: number | null };
  checks: CheckDelta[];
}

/** A run as stored (the run is its report). */
export interface RunRecord {
  id: string;
  trigger: RunTrigger;
  mode: RunMode;
  modeReason: string;
  state: RunState;
  status: BooksStatus | null;
  previousRunId: string | null;
  previousStatus: BooksStatus | null;
  statusChanged: boolean | null;
  since: Date | null;
  snapshotAt: Date | null;
  checkpointTo: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  issueCount: number | null;
  checks: CheckSummary[];
  delta: RunDelta | null;
  error: string | null;
  instance: string | null;
}

export interface FindingRecord extends LedgerFinding {
  runId: string;
  checkName: string;
}

/** Restricts a report to one organization and/or ledger. */
export interface ReportScope {
  organizationId?: string;
  ledgerId?: string;
}
