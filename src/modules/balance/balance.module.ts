import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { BalanceController } from './balance.controller';
import { BalanceRepository } from './balance.repository';
import { BalanceService } from './balance.service';
import { BalanceCache } from './cache/balance-cache';
import { BALANCE_CACHE_SYNC_QUEUE } from './cache/balance-cache-sync.constants';
import { BalanceCacheSyncProcessor } from './cache/balance-cache-sync.processor';
import { BalanceCacheSyncScheduler } from './cache/balance-cache-sync.scheduler';
import { BalanceCacheSync } from './cache/balance-cache-sync.service';
import { BalanceCacheMetrics } from './cache/balance-cache.metrics';

/** Balances, their Redis cache (G8) and the cache-sync job. */
@Module({
  imports: [BullModule.registerQueue({ name: BALANCE_CACHE_SYNC_QUEUE })],
  controllers: [BalanceController],
  providers: [
    BalanceRepository,
    BalanceService,
    BalanceCacheMetrics,
    BalanceCache,
    BalanceCacheSync,
    BalanceCacheSyncProcessor,
    BalanceCacheSyncScheduler,
  ],
  exports: [BalanceRepository, BalanceService, BalanceCache],
})
export class BalanceModule {}
