import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { RepeatableSchedule } from '../../../infrastructure/queue/repeatable-schedule';
import { BALANCE_CACHE_SYNC_QUEUE, SYNC_BALANCE_CACHE_JOB } from './balance-cache-sync.constants';

/**
 * Triggers BalanceCacheSync.syncOnce every BALANCE_CACHE_SYNC_INTERVAL_MS; the schedule is
 * renewed every interval, which is what lets the job warm the cache after a flush.
 */
@Injectable()
export class BalanceCacheSyncScheduler extends RepeatableSchedule {
  constructor(@InjectQueue(BALANCE_CACHE_SYNC_QUEUE) queue: Queue, config: AppConfig) {
    super(queue, SYNC_BALANCE_CACHE_JOB, config.get('BALANCE_CACHE_SYNC_INTERVAL_MS'), 'Balance cache sync');
  }
}
