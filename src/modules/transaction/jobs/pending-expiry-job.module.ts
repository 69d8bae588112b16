import { DynamicModule, Module } from '@nestjs/common';
import { jobQueue } from '../../../infrastructure/jobs/jobs.module';
import { JobMode } from '../../../infrastructure/jobs/job-runner';
import { TransactionModule } from '../transaction.module';
import { PENDING_EXPIRY_QUEUE } from './pending-expiry.constants';
import { PendingExpiryProcessor } from './pending-expiry.processor';

/** The scheduled pending-expiry job, on the process's JobRunner. */
@Module({})
export class PendingExpiryJobModule {
  static register(mode: JobMode): DynamicModule {
    return { module: PendingExpiryJobModule, imports: [TransactionModule, ...jobQueue(mode, PENDING_EXPIRY_QUEUE)], providers: [PendingExpiryProcessor] };
  }
}
