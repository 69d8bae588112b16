import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** Postgres through TypeORM (with the pg pool underneath); migrations run at boot unless disabled. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        return {
          ...dataSourceOptions({
            DATABASE_URL: config.get('DATABASE_URL'),
            DB_POOL_SIZE: config.get('DB_POOL_SIZE'),
            DB_STATEMENT_TIMEOUT_MS: config.get('DB_STATEMENT_TIMEOUT_MS'),
          }),
          migrationsRun: config.get('DB_RUN_MIGRATIONS'),
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
