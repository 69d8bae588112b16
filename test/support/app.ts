import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { testEnv } from './test-env';
import { Api } from './api';

export interface TestApp {
  app: NestFastifyApplication;
  api: Api;
  url: string;
  close(): Promise<void>;
}

/** Starts the real application (real Postgres and Redis) on a free loopback port. */
export async function startApp(overrides: Record<string, unknown> = {}): Promise<TestApp> {
  const app = await createApp(testEnv(overrides));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, api: new Api(url), close: () => app.close() };
}
