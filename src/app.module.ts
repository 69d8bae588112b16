import { DynamicModule, Module } from '@nestjs/common';
import { APP_ENTITIES } from './app.entities';
import { AppConfigModule } from './config/config.module';
import { Env } from './config/env.schema';
import { DatabaseModule } from './infrastructure/database/database.module';
import { MetricsModule } from './infrastructure/metrics/metrics.module';
import { AuthModule } from './modules/auth/auth.module';
import { JobsModule } from './infrastructure/jobs/jobs.module';
import { RedisModule } from './infrastructure/redis/redis.module';
import { BalanceModule } from './modules/balance/balance.module';
import { HealthModule } from './modules/health/health.module';
import { OnboardingModule } from './modules/onboarding/onboarding.module';
import { TransactionModule } from './modules/transaction/transaction.module';
import { PendingExpiryJobModule } from './modules/transaction/jobs/pending-expiry-job.module';
import { BalanceCacheSyncJobModule } from './modules/balance/cache/balance-cache-sync-job.module';
import { ScopeModule } from './modules/scope/scope.module';
import { ReconciliationModule } from './modules/reconciliation/reconciliation.module';

@Module({})
export class AppModule {
  /**
   * The whole service, built from an already validated environment. `redis`: whether Redis
   * answered at start; without it the balance cache is off and jobs run in-process.
   */
  static forRoot(env: Env, { redis }: { redis: boolean }): DynamicModule {
    const jobs = redis ? 'bull' : 'in-process';
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(env),
        DatabaseModule.forRoot(APP_ENTITIES),
        RedisModule.forRoot(redis),
        JobsModule.forRoot(jobs),
        MetricsModule,
        AuthModule,
        ScopeModule,
        HealthModule,
        BalanceModule,
        OnboardingModule,
        TransactionModule,
        PendingExpiryJobModule.register(jobs),
        ...(redis ? [BalanceCacheSyncJobModule] : []),
        ReconciliationModule.register(jobs),
      ],
    };
  }
}
