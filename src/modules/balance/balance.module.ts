import { Module } from '@nestjs/common';
import { BalanceController } from './balance.controller';
import { BalanceRepository } from './balance.repository';
import { BalanceService } from './balance.service';
import { BalanceCache } from './cache/balance-cache';
import { BalanceCacheSync } from './cache/balance-cache-sync.service';
import { BalanceCacheMetrics } from './cache/balance-cache.metrics';

/** Balances and their Redis cache (G8); the cache-sync schedule is BalanceCacheSyncJobModule. */
@Module({
  controllers: [BalanceController],
  providers: [
    BalanceRepository,
    BalanceService,
    BalanceCacheMetrics,
    BalanceCache,
    BalanceCacheSync,
  ],
  exports: [BalanceRepository, BalanceService, BalanceCache, BalanceCacheSync],
})
export class BalanceModule {}
