import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { BalanceModule } from '../balance.module';
import { BALANCE_CACHE_SYNC_QUEUE } from './balance-cache-sync.constants';
import { BalanceCacheSyncProcessor } from './balance-cache-sync.processor';

/** The scheduled cache-sync job; imported only when jobs run on Bull (Redis answered at start). */
@Module({
  imports: [BalanceModule, BullModule.registerQueue({ name: BALANCE_CACHE_SYNC_QUEUE })],
  providers: [BalanceCacheSyncProcessor],
})
export class BalanceCacheSyncJobModule {}
