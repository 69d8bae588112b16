import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/infrastructure/database/data-source-options';
import { testEnv } from './test-env';

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

/**
 * Creates the test database and runs every migration once for the whole run. Without
 * TEST_DATABASE_URL each run gets its own database (ledger_test_<pid>, dropped by the
 * teardown), so two runs on one machine never share or drop each other's data.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) {
    process.env.TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/ledger_test_${process.pid}`;
    process.env.TEST_DATABASE_OWNED = 'true';
  }
  const url = new URL(process.env.TEST_DATABASE_URL);
  const name = databaseName(url);
  const client = new Client({ connectionString: adminUrl(url) });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();

  const ds = new DataSource(dataSourceOptions(testEnv({ DATABASE_URL: url.toString() })));
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
