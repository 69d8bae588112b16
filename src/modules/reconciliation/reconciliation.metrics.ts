import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BooksStatus, CheckSummary, RunMode } from './reconciliation.types';

const STATUS_VALUE: Record<BooksStatus, number> = { HEALTHY: 0, WARNING: 1, CRITICAL: 2 };

/** Prometheus metrics of reconciliation runs, in the instance's registry. */
@Injectable()
export class ReconciliationMetrics {
  private readonly runs: Counter<'mode' | 'status'>;
  private readonly duration: Histogram<'mode'>;
  private readonly status: Gauge;
  private readonly issues: Gauge<'check'>;
  private readonly criticalTransitions: Counter;
  private readonly webhookFailures: Counter;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: 'ledger_reconciliation_runs_total',
      help: 'Reconciliation runs finished by this instance, by mode and resulting status',
      labelNames: ['mode', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'ledger_reconciliation_run_duration_seconds',
      help: 'Duration of reconciliation runs',
      labelNames: ['mode'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    });
    this.status = new Gauge({
      name: 'ledger_reconciliation_status',
      help: 'Status of the last reconciliation run of this instance: 0 HEALTHY, 1 WARNING, 2 CRITICAL',
      registers: [registry],
    });
    this.issues = new Gauge({
      name: 'ledger_reconciliation_issues',
      help: 'Issues found by each check in the last reconciliation run of this instance',
      labelNames: ['check'],
      registers: [registry],
    });
    this.criticalTransitions = new Counter({
      name: 'ledger_reconciliation_critical_transitions_total',
      help: 'Reconciliation runs whose status became CRITICAL (from another status or none)',
      registers: [registry],
    });
    this.webhookFailures = new Counter({
      name: 'ledger_reconciliation_webhook_failures_total',
      help: 'CRITICAL alerts whose webhook delivery failed after every retry',
      registers: [registry],
    });
  }

  finished(mode: RunMode, status: BooksStatus, seconds: number, checks: CheckSummary[]): void {
    this.runs.inc({ mode, status });
    this.duration.observe({ mode }, seconds);
    this.status.set(STATUS_VALUE[status]);
    for (const c of checks) this.issues.set({ check: c.name }, c.issues);
  }

  becameCritical(): void {
    this.criticalTransitions.inc();
  }

  webhookFailed(): void {
    this.webhookFailures.inc();
  }
}
