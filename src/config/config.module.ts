import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { Env } from './env.schema';

/**
 * Global configuration. The environment is validated before the module is built
 * (see loadEnv), so tests can pass their own validated Env without touching process.env.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          skipProcessEnv: true,
          validatePredefined: false,
          load: [() => ({ ...env })],
        }),
      ],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
