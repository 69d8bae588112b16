import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { RECONCILIATION_QUEUE } from './jobs/reconciliation-job.constants';
import { ReconciliationJobProcessor } from './jobs/reconciliation-job.processor';
import { ReconciliationJobScheduler } from './jobs/reconciliation-job.scheduler';
import { ReconciliationCoreModule } from './reconciliation-core.module';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationReportRepository } from './reconciliation-report.repository';
import { ReconciliationService } from './reconciliation.service';

/** Reconciliation (issue 6, DESIGN section 5): scheduled and on-demand integrity reports over HTTP. */
@Module({
  imports: [ReconciliationCoreModule, BullModule.registerQueue({ name: RECONCILIATION_QUEUE })],
  controllers: [ReconciliationController],
  providers: [ReconciliationReportRepository, ReconciliationService, ReconciliationJobScheduler, ReconciliationJobProcessor],
})
export class ReconciliationModule {}
