import { ChildProcess, spawnSync } from 'child_process';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_ENTITIES } from '../../src/app.entities';
import { dataSourceOptions } from '../../src/infrastructure/database/data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from '../../src/infrastructure/database/embedded-postgres';
import { redisAnswers } from '../../src/infrastructure/redis/probe-redis';
import { freePort, startRedisServer } from './servers';
import { testEnv } from './test-env';

/** What the setup started for this run, stopped by the teardown (same process). */
interface Started {
  postgres?: EmbeddedPostgres;
  redis?: ChildProcess;
}
const started: Started = ((globalThis as { __ledgerTestServices?: Started }).__ledgerTestServices ??= {});

/** Data folder of the embedded Postgres that `npm test` starts when no Postgres answers. */
const TEST_PG_DATA_DIR = '.data/test-postgres';
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432';

function adminUrl(url: URL): string {
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  return admin.toString();
}

function databaseName(url: URL): string {
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe test database name: ${name}`);
  return name;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch (err) {
    // Anything but "nothing listens there" is a real answer (bad password: say so, do not hide it).
    const code = (err as { code?: string }).code ?? '';
    return !['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code) && !/timeout/i.test((err as Error).message);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The Postgres of this run: TEST_DATABASE_URL's server, else the local one on 5432; when
 * nothing answers there, an embedded Postgres (data in .data/test-postgres). Without
 * TEST_DATABASE_URL each run gets its own database (ledger_test_<pid>, dropped by the
 * teardown), so two runs on one machine never share or drop each other's data.
 */
async function preparePostgres(): Promise<void> {
  const given = process.env.TEST_DATABASE_URL;
  const server = new URL(given ?? `${DEFAULT_PG}/ledger_test_${process.pid}`);
  if (!(await postgresAnswers(adminUrl(server)))) {
    started.postgres = await startEmbeddedPostgres({ dataDir: TEST_PG_DATA_DIR, database: 'postgres', log: () => undefined });
    const embedded = new URL(started.postgres.url);
    embedded.pathname = `/${given ? databaseName(server) : `ledger_test_${process.pid}`}`;
    process.stderr.write(`\nNo Postgres at ${server.host}: using an embedded one on port ${started.postgres.port} (${TEST_PG_DATA_DIR})\n`);
    process.env.TEST_DATABASE_URL = embedded.toString();
    process.env.TEST_DATABASE_OWNED = 'true';
  } else if (!given) {
    process.env.TEST_DATABASE_URL = server.toString();
    process.env.TEST_DATABASE_OWNED = 'true';
  }
}

/**
 * The Redis of this run: TEST_REDIS_URL (or REDIS_URL, or 6379) when it answers; else a
 * redis-server from PATH on a free port, stopped by the teardown; else one line saying how to
 * get one.
 */
async function prepareRedis(): Promise<void> {
  const url = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) return;
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new Error(
      `No Redis answers at ${url} and no redis-server is on PATH: start one (docker compose up -d redis, or install the OS package redis-server) or set TEST_REDIS_URL`,
    );
  }
  const port = await freePort();
  started.redis = await startRedisServer(port).catch((err: Error) => {
    throw new Error(`redis-server from PATH did not answer on port ${port}: ${err.message}`);
  });
  const own = `redis://127.0.0.1:${port}`;
  process.stderr.write(`\nNo Redis at ${url}: using a redis-server from PATH on port ${port}\n`);
  process.env.TEST_REDIS_URL = own;
}

/** Creates the test database and runs every migration once for the whole run. */
export default async function globalSetup(): Promise<void> {
  await prepareRedis();
  await preparePostgres();
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const name = databaseName(url);
  const client = new Client({ connectionString: adminUrl(url) });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();

  const ds = new DataSource({ ...dataSourceOptions(testEnv({ DATABASE_URL: url.toString() }), APP_ENTITIES), logging: false, logger: undefined });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
}

/** Drops the database the setup created for this run (never one given by TEST_DATABASE_URL). */
export async function dropOwnedDatabase(): Promise<void> {
  if (process.env.TEST_DATABASE_OWNED !== 'true' || !process.env.TEST_DATABASE_URL) return;
  const url = new URL(process.env.TEST_DATABASE_URL);
  const client = new Client({ connectionString: adminUrl(url) });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${databaseName(url)} WITH (FORCE)`);
  await client.end();
}

/** Stops what the setup started (an embedded Postgres, a redis-server). */
export async function stopStartedServices(): Promise<void> {
  const redis = started.redis;
  started.redis = undefined;
  if (redis && redis.exitCode === null) await new Promise((resolve) => redis.once('exit', resolve).kill('SIGTERM'));
  await started.postgres?.stop();
  started.postgres = undefined;
}
