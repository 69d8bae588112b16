import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation (issue 6, DESIGN section 5): one row per run (the run is its report), the
 * findings of each run per check and ledger (counts and bounded samples), and the checkpoint
 * incremental runs start from. Nothing here references the books' tables: reports outlive
 * whatever they describe, and the books can be distributed by ledger without them.
 */
export class Reconciliation1764300000000 implements MigrationInterface {
  name = 'Reconciliation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconciliation_runs (
        id uuid PRIMARY KEY,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'api', 'cli')),
        mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
        mode_reason text NOT NULL,
        state text NOT NULL CHECK (state IN ('RUNNING', 'FINISHED', 'FAILED', 'ABANDONED')),
        status text CHECK (status IN ('HEALTHY', 'WARNING', 'CRITICAL')),
        previous_run_id uuid,
        previous_status text,
        status_changed boolean,
        since timestamptz,
        snapshot_at timestamptz,
        checkpoint_to timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        duration_ms integer,
        issue_count bigint,
        checks jsonb NOT NULL DEFAULT '[]',
        delta jsonb,
        error text,
        instance text
      )`);
    await q.query(`CREATE INDEX reconciliation_runs_started_idx ON reconciliation_runs (started_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX reconciliation_runs_finished_idx ON reconciliation_runs (started_at DESC, id DESC) WHERE state = 'FINISHED'`,
    );
    // Belt and braces next to the advisory lock the runner holds: one RUNNING row at most.
    await q.query(`CREATE UNIQUE INDEX reconciliation_runs_one_running_uq ON reconciliation_runs ((true)) WHERE state = 'RUNNING'`);

    await q.query(`
      CREATE TABLE reconciliation_findings (
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id) ON DELETE CASCADE,
        check_name text NOT NULL,
        organization_id uuid NOT NULL,
        ledger_id uuid NOT NULL,
        severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
        issue_count bigint NOT NULL CHECK (issue_count > 0),
        samples jsonb NOT NULL DEFAULT '[]',
        PRIMARY KEY (run_id, check_name, ledger_id, severity)
      )`);
    await q.query(`CREATE INDEX reconciliation_findings_ledger_idx ON reconciliation_findings (ledger_id, run_id)`);
    await q.query(`CREATE INDEX reconciliation_findings_org_idx ON reconciliation_findings (organization_id, run_id)`);

    await q.query(`
      CREATE TABLE reconciliation_checkpoint (
        name text PRIMARY KEY,
        verified_until timestamptz NOT NULL,
        runs_since_full integer NOT NULL DEFAULT 0,
        last_run_id uuid NOT NULL,
        last_full_run_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS reconciliation_checkpoint`);
    await q.query(`DROP TABLE IF EXISTS reconciliation_findings`);
    await q.query(`DROP TABLE IF EXISTS reconciliation_runs`);
  }
}
