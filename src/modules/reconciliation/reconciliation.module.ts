import { DynamicModule, Module } from '@nestjs/common';
import { jobQueue } from '../../infrastructure/jobs/jobs.module';
import { JobMode } from '../../infrastructure/jobs/job-runner';
import { RECONCILIATION_QUEUE } from './jobs/reconciliation-job.constants';
import { ReconciliationJobProcessor } from './jobs/reconciliation-job.processor';
import { ReconciliationCoreModule } from './reconciliation-core.module';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationReportRepository } from './reconciliation-report.repository';
import { ReconciliationService } from './reconciliation.service';

/** Reconciliation (issue 6, DESIGN section 5): scheduled and on-demand integrity reports over HTTP. */
@Module({})
export class ReconciliationModule {
  static register(jobs: JobMode): DynamicModule {
    return {
      module: ReconciliationModule,
      imports: [ReconciliationCoreModule, ...jobQueue(jobs, RECONCILIATION_QUEUE)],
      controllers: [ReconciliationController],
      providers: [ReconciliationReportRepository, ReconciliationService, ReconciliationJobProcessor],
    };
  }
}
