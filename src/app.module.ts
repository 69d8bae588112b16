import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule } from './config/config.module';
import { Env } from './config/env.schema';
import { DatabaseModule } from './infrastructure/database/database.module';
import { MetricsModule } from './infrastructure/metrics/metrics.module';
import { AuthModule } from './modules/auth/auth.module';
import { QueueModule } from './infrastructure/queue/queue.module';
import { RedisModule } from './infrastructure/redis/redis.module';
import { BalanceModule } from './modules/balance/balance.module';
import { HealthModule } from './modules/health/health.module';
import { OnboardingModule } from './modules/onboarding/onboarding.module';
import { TransactionModule } from './modules/transaction/transaction.module';
import { ScopeModule } from './modules/scope/scope.module';
import { ReconciliationModule } from './modules/reconciliation/reconciliation.module';

@Module({})
export class AppModule {
  /** The whole service, built from an already validated environment. */
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(env),
        DatabaseModule,
        RedisModule,
        QueueModule,
        MetricsModule,
        AuthModule,
        ScopeModule,
        HealthModule,
        BalanceModule,
        OnboardingModule,
        TransactionModule,
        ReconciliationModule,
      ],
    };
  }
}
