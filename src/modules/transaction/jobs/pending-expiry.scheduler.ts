import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { RepeatableSchedule } from '../../../infrastructure/queue/repeatable-schedule';
import { EXPIRE_DUE_HOLDS_JOB, PENDING_EXPIRY_QUEUE } from './pending-expiry.constants';

/** Triggers PendingExpiryService.expireDueHolds every PENDING_EXPIRY_INTERVAL_MS. */
@Injectable()
export class PendingExpiryScheduler extends RepeatableSchedule {
  constructor(@InjectQueue(PENDING_EXPIRY_QUEUE) queue: Queue, config: AppConfig) {
    super(queue, EXPIRE_DUE_HOLDS_JOB, config.get('PENDING_EXPIRY_INTERVAL_MS'), 'Pending expiry');
  }
}
