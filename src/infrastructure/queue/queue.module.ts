import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

/** Bull on the same Redis as the cache; feature modules register their queues. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.get('REDIS_URL'),
        prefix: 'ledger:bull',
        defaultJobOptions: { removeOnComplete: 100, removeOnFail: 500 },
      }),
    }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
