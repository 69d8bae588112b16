import { Client } from 'pg';
import { distributionViolations, GROWING_TABLES } from './support/distribution';
import { TEST_DATABASE_URL } from './support/test-env';

/**
 * DESIGN section 3 and 8: every table that grows with traffic can be distributed by ledger_id
 * (Citus; docs/scaling.md). The migrated schema is read from the Postgres catalogs; a key or
 * foreign key without ledger_id fails this test with one line per problem.
 */
let client: Client;
const probe = `dist_probe_${process.pid}`;

beforeAll(async () => {
  client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
});
afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${probe} CASCADE`);
  await client.end();
});

it('the migrated schema keeps every growing table distributable by ledger_id', async () => {
  expect(await distributionViolations(client, 'public')).toEqual([]);
});

it('knows the growing tables by their real names (a renamed table cannot slip out of the check)', async () => {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
    [GROWING_TABLES],
  );
  expect(rows.map((r) => r.name).sort()).toEqual([...GROWING_TABLES].sort());
});

it('reports each key and foreign key that lacks ledger_id (the check can fail)', async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${probe} CASCADE`);
  await client.query(`CREATE SCHEMA ${probe}`);
  await client.query(`
    CREATE TABLE ${probe}.ledgers (id uuid PRIMARY KEY);
    CREATE TABLE ${probe}.transactions (ledger_id uuid NOT NULL, id uuid NOT NULL, PRIMARY KEY (ledger_id, id), UNIQUE (id));
    CREATE TABLE ${probe}.balances (ledger_id uuid NOT NULL, id uuid NOT NULL, PRIMARY KEY (id));
    CREATE TABLE ${probe}.operations (
      ledger_id uuid NOT NULL, id uuid NOT NULL, transaction_id uuid NOT NULL, balance_id uuid NOT NULL, v bigint NOT NULL,
      PRIMARY KEY (ledger_id, id),
      FOREIGN KEY (transaction_id) REFERENCES ${probe}.transactions (id),
      FOREIGN KEY (balance_id) REFERENCES ${probe}.balances (id)
    );
    CREATE UNIQUE INDEX ops_chain_uq ON ${probe}.operations (balance_id, v);
    CREATE TABLE ${probe}.idempotency_keys (ledger_id uuid, key text PRIMARY KEY);
    CREATE TABLE ${probe}.audit (id uuid PRIMARY KEY, ledger_id uuid, transaction_id uuid,
      FOREIGN KEY (ledger_id, transaction_id) REFERENCES ${probe}.transactions (ledger_id, id));
  `);
  const problems = await distributionViolations(client, probe);
  expect(problems).toEqual(
    expect.arrayContaining([
      'reconciliation_findings: table not found in schema ' + probe,
      expect.stringMatching(/^transactions: unique transactions_id_key \(id\) lacks ledger_id$/),
      expect.stringMatching(/^balances: primary key balances_pkey \(id\) lacks ledger_id$/),
      expect.stringMatching(/^operations: unique ops_chain_uq \(balance_id, v\) lacks ledger_id$/),
      expect.stringMatching(/^operations: foreign key .* \(transaction_id\) -> transactions \(id\) does not match ledger_id/),
      expect.stringMatching(/^operations: foreign key .* \(balance_id\) -> balances \(id\) does not match ledger_id/),
      'idempotency_keys: ledger_id is nullable',
      expect.stringMatching(/^idempotency_keys: primary key .* \(key\) lacks ledger_id$/),
      expect.stringMatching(/^audit: foreign key .* points from a reference table into a distributed one$/),
    ]),
  );
});
