import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../../infrastructure/database/pg-pool';
import { RUN_LOCK_KEYS } from './reconciliation-run.repository';
import { BooksStatus, FindingRecord, ReportScope, RunRecord } from './reconciliation.types';
import { RunRow, runFromRow } from './run-row';

const LOCK = RUN_LOCK_KEYS;

/** A run's summary row for lists, with the status and issues of the requested scope. */
export interface RunListRow {
  run: RunRecord;
  scopedStatus: BooksStatus | null;
  scopedIssues: number | null;
  scopedPreviousStatus: BooksStatus | null;
}

const scopeFilter = (alias: string, orgParam: string, ledgerParam: string) =>
  `(${orgParam}::uuid IS NULL OR ${alias}.organization_id = ${orgParam}::uuid) AND (${ledgerParam}::uuid IS NULL OR ${alias}.ledger_id = ${ledgerParam}::uuid)`;

/** The reads behind the reports API. */
@Injectable()
export class ReconciliationReportRepository {
  private readonly pool: Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = pgPool(dataSource);
  }

  async findRun(id: string): Promise<RunRecord | null> {
    const { rows } = await this.pool.query<RunRow>(`SELECT * FROM reconciliation_runs WHERE id = $1`, [id]);
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  async latestFinished(): Promise<RunRecord | null> {
    const { rows } = await this.pool.query<RunRow>(
      `SELECT * FROM reconciliation_runs WHERE state = 'FINISHED' ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  /** The run in progress: a RUNNING row whose lock is really held (a dead process's row is not). */
  async running(): Promise<RunRecord | null> {
    const { rows } = await this.pool.query<RunRow>(
      `SELECT r.* FROM reconciliation_runs r
        WHERE r.state = 'RUNNING'
          AND EXISTS (SELECT 1 FROM pg_locks l
                       WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = $2::int::oid
                         AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        LIMIT 1`,
      [...LOCK],
    );
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  /** The finished run before this one. */
  async finishedBefore(run: RunRecord): Promise<RunRecord | null> {
    const { rows } = await this.pool.query<RunRow>(
      `SELECT * FROM reconciliation_runs WHERE state = 'FINISHED' AND (started_at, id) < ($1, $2)
        ORDER BY started_at DESC, id DESC LIMIT 1`,
      [run.startedAt, run.id],
    );
    return rows[0] ? runFromRow(rows[0]) : null;
  }

  async findings(runId: string, scope: ReportScope): Promise<FindingRecord[]> {
    const { rows } = await this.pool.query<{
      run_id: string; check_name: string; organization_id: string; ledger_id: string;
      severity: FindingRecord['severity']; issue_count: string; samples: FindingRecord['samples'];
    }>(
      `SELECT * FROM reconciliation_findings f WHERE f.run_id = $1 AND ${scopeFilter('f', '$2', '$3')}
        ORDER BY f.check_name, f.issue_count DESC, f.ledger_id`,
      [runId, scope.organizationId ?? null, scope.ledgerId ?? null],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      checkName: r.check_name,
      organizationId: r.organization_id,
      ledgerId: r.ledger_id,
      severity: r.severity,
      count: Number(r.issue_count),
      samples: r.samples,
    }));
  }

  async ledgerNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; name: string }>(`SELECT id, name FROM ledgers WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * A page of runs, newest first (or oldest with asc), each with the status and issue count of
   * the scope (the whole service when no organization or ledger is given) and the scoped
   * status of the finished run before it.
   */
  async listRuns(
    q: { page: number; limit: number; sortOrder: 'asc' | 'desc'; startDate?: Date; endBefore?: Date },
    scope: ReportScope,
  ): Promise<RunListRow[]> {
    const scoped = scope.organizationId !== undefined || scope.ledgerId !== undefined;
    const params: unknown[] = [];
    const scopeJoin = scoped
      ? `LEFT JOIN LATERAL (
           SELECT coalesce(sum(f.issue_count) FILTER (WHERE f.severity <> 'INFO'), 0) AS issues,
                  coalesce(bool_or(f.severity = 'CRITICAL'), false) AS critical,
                  coalesce(bool_or(f.severity = 'WARNING'), false) AS warning
             FROM reconciliation_findings f
            WHERE f.run_id = r.id AND ${scopeFilter('f', `$${params.push(scope.organizationId ?? null)}`, `$${params.push(scope.ledgerId ?? null)}`)}) s ON true`
      : '';
    // A scoped status: the worst finding of the scope; a check that failed to run (ERROR) proves nothing, so WARNING.
    const statusExpr = scoped
      ? `CASE WHEN r.state <> 'FINISHED' THEN NULL
              WHEN s.critical THEN 'CRITICAL'
              WHEN s.warning OR EXISTS (SELECT 1 FROM jsonb_array_elements(r.checks) ch WHERE ch->>'status' = 'ERROR') THEN 'WARNING'
              ELSE 'HEALTHY' END`
      : `r.status`;
    const where: string[] = [];
    if (q.startDate) where.push(`s.started_at >= $${params.push(q.startDate)}`);
    if (q.endBefore) where.push(`s.started_at < $${params.push(q.endBefore)}`);
    const order = q.sortOrder === 'asc' ? 'ASC' : 'DESC';
    const limit = `LIMIT $${params.push(q.limit)} OFFSET $${params.push((q.page - 1) * q.limit)}`;
    const { rows } = await this.pool.query<RunRow & { scoped_status: BooksStatus | null; scoped_issues: string | null; scoped_previous: BooksStatus | null }>(
      `WITH scoped AS (
         SELECT r.*, ${statusExpr} AS scoped_status, ${scoped ? 's.issues' : 'r.issue_count'} AS scoped_issues
           FROM reconciliation_runs r ${scopeJoin}),
       previous AS (
         SELECT id, lag(scoped_status) OVER (ORDER BY started_at, id) AS scoped_previous FROM scoped WHERE state = 'FINISHED')
       SELECT s.*, p.scoped_previous FROM scoped s LEFT JOIN previous p USING (id)
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY s.started_at ${order}, s.id ${order} ${limit}`,
      params,
    );
    return rows.map((r) => ({
      run: runFromRow(r),
      scopedStatus: r.scoped_status,
      scopedIssues: r.scoped_issues === null ? null : Number(r.scoped_issues),
      scopedPreviousStatus: r.scoped_previous,
    }));
  }
}
