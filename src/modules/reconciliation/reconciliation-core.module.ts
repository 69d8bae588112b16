import { Module } from '@nestjs/common';
import { ReconciliationAlerts } from './reconciliation.alerts';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { ReconciliationRunRepository } from './reconciliation-run.repository';
import { ReconciliationRunner } from './reconciliation.runner';

/**
 * What executes a run: the checks (through the runner), storage, metrics and alerts. Needs
 * the database, Redis and the metrics registry; shared by the app and the CLI (src/reconcile.ts).
 */
@Module({
  providers: [ReconciliationRunRepository, ReconciliationRunner, ReconciliationAlerts, ReconciliationMetrics],
  exports: [ReconciliationRunner],
})
export class ReconciliationCoreModule {}
