import { BooksStatus, CheckSummary, RunDelta, RunMode, RunRecord, RunTrigger } from './reconciliation.types';

/** A reconciliation_runs row as pg returns it. */
export interface RunRow {
  id: string;
  trigger: RunTrigger;
  mode: RunMode;
  mode_reason: string;
  state: RunRecord['state'];
  status: BooksStatus | null;
  previous_run_id: string | null;
  previous_status: BooksStatus | null;
  status_changed: boolean | null;
  since: Date | null;
  snapshot_at: Date | null;
  checkpoint_to: Date | null;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  issue_count: string | null;
  checks: CheckSummary[];
  delta: RunDelta | null;
  error: string | null;
  instance: string | null;
}

export function runFromRow(r: RunRow): RunRecord {
  return {
    id: r.id,
    trigger: r.trigger,
    mode: r.mode,
    modeReason: r.mode_reason,
    state: r.state,
    status: r.status,
    previousRunId: r.previous_run_id,
    previousStatus: r.previous_status,
    statusChanged: r.status_changed,
    since: r.since,
    snapshotAt: r.snapshot_at,
    checkpointTo: r.checkpoint_to,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    issueCount: r.issue_count === null ? null : Number(r.issue_count),
    checks: r.checks ?? [],
    delta: r.delta,
    error: r.error,
    instance: r.instance,
  };
}

