import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { RepeatableSchedule } from '../../../infrastructure/queue/repeatable-schedule';
import { RECONCILIATION_QUEUE, RUN_RECONCILIATION_JOB } from './reconciliation-job.constants';

/** Triggers a reconciliation run (ReconciliationRunner) every RECONCILIATION_INTERVAL_MS. */
@Injectable()
export class ReconciliationJobScheduler extends RepeatableSchedule {
  constructor(@InjectQueue(RECONCILIATION_QUEUE) queue: Queue, config: AppConfig) {
    super(queue, RUN_RECONCILIATION_JOB, config.get('RECONCILIATION_INTERVAL_MS'), 'Reconciliation');
  }
}
