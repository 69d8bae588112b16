import { hostname } from 'os';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import type { PoolClient } from 'pg';
import { AppError } from '../../common/errors/app-error';
import { newId } from '../../common/ids';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../../infrastructure/redis/redis.tokens';
import { allChecks, ReconciliationCheck } from './checks';
import { CheckScope } from './checks/check';
import {
  becameCritical,
  booksStatusOf,
  checkStatusOf,
  computeDelta,
  countFindings,
  decideMode,
  ModeDecision,
  pickSamples,
  provenStatus,
  PreviousRun,
} from './domain/run-policy';
import { ReconciliationAlerts } from './reconciliation.alerts';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { FinishedRun, ReconciliationRunRepository } from './reconciliation-run.repository';
import { BooksStatus, CheckSummary, RunMode, RunTrigger } from './reconciliation.types';

export interface StartOptions {
  trigger: RunTrigger;
  /** Force a mode ('full' for ?full=true and --full; 'incremental' for tests and tools). */
  mode?: RunMode;
  /** API runs are refused within RECONCILIATION_COOLDOWN_MS of the previous run. */
  enforceCooldown?: boolean;
  /** Called as each check starts and ends (the CLI draws its progress line from it). */
  onProgress?: (progress: RunProgress) => void;
}

/** Where a run is: check `index` (1-based) of `total`; `scanned`: rows read by the finished checks. */
export interface RunProgress {
  phase: 'check-started' | 'check-finished';
  index: number;
  total: number;
  check: string;
  scanned: number;
  elapsedMs: number;
}

export interface RunOutcome {
  id: string;
  mode: RunMode;
  status: BooksStatus;
  previousStatus: BooksStatus | null;
  issues: number;
  durationMs: number;
  checks: CheckSummary[];
}

export interface StartedRun {
  id: string;
  trigger: RunTrigger;
  mode: RunMode;
  modeReason: string;
  since: Date | null;
  startedAt: Date;
  /** Settles when the run is stored (rejects if it failed; the failure is logged and stored). */
  done: Promise<RunOutcome>;
}

interface RunPlan {
  id: string;
  decision: ModeDecision;
  previous: PreviousRun | null;
  startedAt: Date;
}

/**
 * Executes reconciliation runs. Two runs never overlap: a run holds a Postgres advisory lock
 * on its own connection from start to end (any instance, the CLI included, is refused while
 * it is held, and a crashed holder releases it with its connection). All checks read one
 * REPEATABLE READ snapshot, so postings committing meanwhile cannot produce false positives.
 */
@Injectable()
export class ReconciliationRunner implements OnModuleDestroy {
  private readonly logger = new Logger(ReconciliationRunner.name);
  private readonly checks: ReconciliationCheck[] = allChecks();
  private readonly instance = `${hostname()}/${process.pid}`;
  private current: Promise<unknown> | null = null;

  constructor(
    private readonly repo: ReconciliationRunRepository,
    private readonly alerts: ReconciliationAlerts,
    private readonly metrics: ReconciliationMetrics,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Waits for a run in progress before the database pool closes. */
  async onModuleDestroy(): Promise<void> {
    await this.current?.catch(() => undefined);
  }

  /**
   * Takes the lock, decides the mode, records the run and starts it. Throws
   * RECONCILIATION_IN_PROGRESS or RECONCILIATION_COOLDOWN (429) when refused.
   */
  async start(opts: StartOptions): Promise<StartedRun> {
    if (this.current) throw inProgress();
    const client = await this.repo.connect();
    let locked = false;
    let plan: RunPlan;
    try {
      locked = await this.repo.tryLock(client);
      if (!locked) throw inProgress();
      plan = await this.prepare(client, opts);
    } catch (err) {
      if (locked) await this.release(client);
      else client.release();
      throw err;
    }
    const done = this.execute(client, plan, opts.onProgress);
    this.current = done;
    void done.catch(() => undefined).finally(() => (this.current = null));
    this.logger.log(
      { runId: plan.id, trigger: opts.trigger, mode: plan.decision.mode, since: plan.decision.since },
      `Reconciliation run ${plan.id} started (${opts.trigger}, ${plan.decision.mode}: ${plan.decision.reason})`,
    );
    return {
      id: plan.id,
      trigger: opts.trigger,
      mode: plan.decision.mode,
      modeReason: plan.decision.reason,
      since: plan.decision.since,
      startedAt: plan.startedAt,
      done,
    };
  }

  /** With the lock held: the cool-down, leftovers of dead runs, the mode, and the run's row. */
  private async prepare(client: PoolClient, opts: StartOptions): Promise<RunPlan> {
    const cooldownMs = this.config.get('RECONCILIATION_COOLDOWN_MS');
    if (opts.enforceCooldown && cooldownMs > 0) {
      const since = await this.repo.msSinceLastRun(client);
      if (since !== null && since < cooldownMs) {
        const retryAfterSeconds = Math.ceil((cooldownMs - since) / 1000);
        throw new AppError('RECONCILIATION_COOLDOWN', `The previous run ended less than ${cooldownMs} ms ago; retry in ${retryAfterSeconds} s.`, {
          details: { retryAfterSeconds },
        });
      }
    }
    const abandoned = await this.repo.abandonRunning(client);
    if (abandoned > 0) this.logger.warn(`${abandoned} reconciliation run(s) left RUNNING by a stopped process marked ABANDONED`);
    const checkpoint = await this.repo.readCheckpoint(client);
    const previous = await this.repo.previousFinished(client);
    const decision = decideMode({
      requested: opts.mode,
      checkpoint,
      previousStatus: previous?.status ?? null,
      fullEvery: this.config.get('RECONCILIATION_FULL_EVERY'),
    });
    const id = newId();
    const startedAt = await this.repo.insertRun(client, {
      id,
      trigger: opts.trigger,
      mode: decision.mode,
      modeReason: decision.reason,
      since: decision.since,
      previous,
      instance: this.instance,
    });
    return { id, decision, previous, startedAt };
  }

  private async execute(client: PoolClient, plan: RunPlan, onProgress?: (p: RunProgress) => void): Promise<RunOutcome> {
    const started = Date.now();
    let scannedSoFar = 0;
    const progress = (phase: RunProgress['phase'], index: number, check: string) =>
      onProgress?.({ phase, index, total: this.checks.length, check, scanned: scannedSoFar, elapsedMs: Date.now() - started });
    try {
      const scope: CheckScope = {
        since: plan.decision.since,
        sampleLimit: this.config.get('RECONCILIATION_SAMPLE_LIMIT'),
        pendingGraceMs: this.config.get('RECONCILIATION_PENDING_GRACE_MS'),
      };
      const snapshot = await this.repo.openSnapshot(client, this.config.get('RECONCILIATION_STATEMENT_TIMEOUT_MS'));
      const results: Array<{ summary: CheckSummary; findings: FinishedRun['findings'] }> = [];
      for (const [i, check] of this.checks.entries()) {
        progress('check-started', i + 1, check.name);
        const result = await this.runCheck(client, check, scope, plan);
        results.push(result);
        scannedSoFar += result.summary.scanned;
        progress('check-finished', i + 1, check.name);
        // Progress of a long (full) run, one line per check.
        const { status, durationMs, scanned } = result.summary;
        this.logger.log(
          { runId: plan.id, check: check.name, status, durationMs, scanned },
          `Reconciliation run ${plan.id}: ${check.name} ${status} in ${durationMs} ms (${i + 1}/${this.checks.length})`,
        );
      }
      await client.query('COMMIT');

      const checks = results.map((r) => r.summary);
      const status = booksStatusOf(checks);
      const errored = checks.some((c) => c.status === 'ERROR');
      const issueCount = checks.reduce((s, c) => s + c.issues, 0);
      const run: FinishedRun = {
        id: plan.id,
        status,
        snapshotAt: snapshot.snapshotAt,
        // The next incremental run starts before the oldest transaction still open at the snapshot
        // (its rows are not visible yet; posting rows carry the database's time of their transaction's
        // start), less the overlap, a safety margin. A failed check proves nothing: the checkpoint
        // then stays where it was.
        checkpointTo: errored ? null : new Date(snapshot.safeUntil.getTime() - this.config.get('RECONCILIATION_CHECKPOINT_OVERLAP_MS')),
        checks,
        delta: computeDelta(plan.previous, status, checks),
        issueCount,
        findings: results.flatMap((r) => r.findings),
      };
      await this.repo.finishRun(client, run, this.config.get('RECONCILIATION_RETENTION_DAYS'), errored ? null : { full: plan.decision.mode === 'full' });
      const durationMs = Date.now() - started;
      this.report(plan, run, durationMs);
      return { id: plan.id, mode: plan.decision.mode, status, previousStatus: plan.previous?.status ?? null, issues: issueCount, durationMs, checks };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const message = (err as Error)?.message ?? String(err);
      await this.repo.failRun(plan.id, this.publicMessage(err)).catch((e: Error) =>
        this.logger.error({ runId: plan.id }, `Reconciliation run ${plan.id} cannot be marked FAILED (the next run marks it ABANDONED): ${e.message}`),
      );
      this.logger.error({ runId: plan.id, err }, `Reconciliation run ${plan.id} failed after ${Date.now() - started} ms: ${message}`);
      throw err;
    } finally {
      await this.release(client);
    }
  }

  /** Runs one check inside a savepoint, so a failing check (e.g. a statement timeout) does not end the run. */
  private async runCheck(
    client: PoolClient,
    check: ReconciliationCheck,
    scope: CheckScope,
    plan: RunPlan,
  ): Promise<{ summary: CheckSummary; findings: FinishedRun['findings'] }> {
    const runId = plan.id;
    const t0 = performance.now();
    const base = { name: check.name, title: check.title, raises: check.raises };
    await client.query('SAVEPOINT reconciliation_check');
    try {
      const out = await check.run({ db: client, redis: this.redis, scope });
      await client.query('RELEASE SAVEPOINT reconciliation_check');
      const { issues, info } = countFindings(out.findings);
      const summary: CheckSummary = {
        ...base,
        status: out.skipped ? 'SKIPPED' : checkStatusOf(out.findings),
        durationMs: Math.round(performance.now() - t0),
        scanned: out.scanned,
        issues,
        info: out.info ?? (info > 0 ? { count: info } : {}),
        samples: pickSamples(out.findings, scope.sampleLimit),
        ...(out.skipped ? { note: out.skipped } : {}),
      };
      return { summary, findings: out.findings.map((f) => ({ ...f, checkName: check.name })) };
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT reconciliation_check');
      const message = (err as Error)?.message ?? String(err);
      this.logger.error({ runId, check: check.name, err }, `Reconciliation check ${check.name} failed: ${message}`);
      const before = plan.previous?.checks.find((c) => c.name === check.name);
      const lastProven = before && provenStatus(before);
      return {
        summary: {
          ...base,
          status: 'ERROR',
          durationMs: Math.round(performance.now() - t0),
          scanned: 0,
          issues: 0,
          info: {},
          samples: [],
          note: this.publicMessage(err),
          ...(lastProven ? { lastProven } : {}),
        },
        findings: [],
      };
    }
  }

  private report(plan: RunPlan, run: FinishedRun, durationMs: number): void {
    const previousStatus = plan.previous?.status ?? null;
    this.metrics.finished(plan.decision.mode, run.status, durationMs / 1000, run.checks);
    const failing = run.checks.filter((c) => c.status !== 'OK' && c.status !== 'SKIPPED').map((c) => `${c.name}: ${c.status} (${c.issues})`);
    const line = `Reconciliation run ${plan.id} finished in ${durationMs} ms (${plan.decision.mode}): ${run.status}${failing.length ? ` — ${failing.join(', ')}` : ''}`;
    const fields = { runId: plan.id, mode: plan.decision.mode, durationMs, status: run.status, previousStatus, issues: run.issueCount };
    if (run.status === 'HEALTHY') this.logger.log(fields, line);
    else this.logger.warn(fields, line);
    if (becameCritical(previousStatus, run.status)) {
      this.alerts.becameCritical({ runId: plan.id, previousStatus, startedAt: plan.startedAt, finishedAt: new Date(), checks: run.checks });
    }
  }

  /** What a report may say about a failure: the message, or in production only its SQLSTATE (G10; the log has the rest). */
  private publicMessage(err: unknown): string {
    const e = err as { message?: string; code?: string };
    if (!this.config.isProduction) return String(e?.message ?? err).slice(0, 300);
    return `failed${typeof e?.code === 'string' ? ` (SQLSTATE ${e.code})` : ''}; details in the logs`;
  }

  /** Unlocks and returns the connection; one that cannot be unlocked is destroyed (which releases the lock). */
  private async release(client: PoolClient): Promise<void> {
    try {
      await this.repo.unlock(client);
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  }
}

function inProgress(): AppError {
  return new AppError('RECONCILIATION_IN_PROGRESS', 'A reconciliation run is in progress; retry when it has finished.');
}
