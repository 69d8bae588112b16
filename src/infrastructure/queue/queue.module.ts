import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/**
 * Bull on the same Redis as the cache; feature modules register their queues. The key
 * prefix names the database, so instances sharing a database share queues while services
 * (or test runs) on other databases never take each other's jobs.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.get('REDIS_URL'),
        prefix: `ledger:${new URL(config.get('DATABASE_URL')).pathname.slice(1) || 'default'}:bull`,
        defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 },
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
