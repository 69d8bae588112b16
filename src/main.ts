import 'reflect-metadata';
import { createApp } from './app.factory';
import { EnvValidationError, loadEnv } from './config/env.schema';
import { createRootLogger } from './infrastructure/logging/logger';
import { installProcessHandlers } from './infrastructure/logging/process-handlers';

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  installProcessHandlers(createRootLogger(env.LOG_LEVEL).child({ context: 'Process' }));
  const app = await createApp(env);
  await app.listen(env.PORT, env.HOST);
}

void bootstrap();
