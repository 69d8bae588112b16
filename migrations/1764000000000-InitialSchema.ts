import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Onboarding entities and the books (balances, transactions, operations, idempotency keys).
 * Tables that grow with traffic carry organization_id and ledger_id, and their keys start
 * with ledger_id, so they can be distributed by ledger later (DESIGN section 3).
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY,
        parent_organization_id uuid REFERENCES organizations(id),
        legal_name text NOT NULL,
        doing_business_as text,
        legal_document text NOT NULL,
        address jsonb,
        status_code text NOT NULL DEFAULT 'ACTIVE',
        status_description text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE ledgers (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id),
        name text NOT NULL,
        status_code text NOT NULL DEFAULT 'ACTIVE',
        status_description text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX ledgers_org_name_uq ON ledgers (organization_id, name) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX ledgers_org_idx ON ledgers (organization_id, created_at)`);

    await q.query(`
      CREATE TABLE assets (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id),
        ledger_id uuid NOT NULL REFERENCES ledgers(id),
        name text NOT NULL,
        type text NOT NULL,
        code text NOT NULL,
        status_code text NOT NULL DEFAULT 'ACTIVE',
        status_description text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX assets_ledger_code_uq ON assets (ledger_id, code) WHERE deleted_at IS NULL`);

    for (const table of ['portfolios', 'segments']) {
      await q.query(`
        CREATE TABLE ${table} (
          id uuid PRIMARY KEY,
          organization_id uuid NOT NULL REFERENCES organizations(id),
          ledger_id uuid NOT NULL REFERENCES ledgers(id),
          name text NOT NULL,
          ${table === 'portfolios' ? 'entity_id text,' : ''}
          status_code text NOT NULL DEFAULT 'ACTIVE',
          status_description text,
          metadata jsonb NOT NULL DEFAULT '{}',
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          deleted_at timestamptz
        )`);
      await q.query(`CREATE INDEX ${table}_ledger_idx ON ${table} (ledger_id, created_at)`);
    }

    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id),
        ledger_id uuid NOT NULL REFERENCES ledgers(id),
        asset_code text NOT NULL,
        name text,
        alias text NOT NULL,
        type text NOT NULL,
        parent_account_id uuid REFERENCES accounts(id),
        portfolio_id uuid REFERENCES portfolios(id),
        segment_id uuid REFERENCES segments(id),
        entity_id text,
        blocked boolean NOT NULL DEFAULT false,
        status_code text NOT NULL DEFAULT 'ACTIVE',
        status_description text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        UNIQUE (ledger_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX accounts_ledger_alias_uq ON accounts (ledger_id, alias) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX accounts_ledger_idx ON accounts (ledger_id, created_at)`);

    await q.query(`
      CREATE TABLE balances (
        ledger_id uuid NOT NULL,
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        account_id uuid NOT NULL,
        alias text NOT NULL,
        key text NOT NULL DEFAULT 'default',
        asset_code text NOT NULL,
        available numeric NOT NULL DEFAULT 0,
        on_hold numeric NOT NULL DEFAULT 0,
        version bigint NOT NULL DEFAULT 0,
        account_type text NOT NULL,
        allow_sending boolean NOT NULL DEFAULT true,
        allow_receiving boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        PRIMARY KEY (ledger_id, id),
        FOREIGN KEY (ledger_id, account_id) REFERENCES accounts (ledger_id, id),
        CONSTRAINT balances_on_hold_non_negative CHECK (on_hold >= 0),
        CONSTRAINT balances_available_non_negative CHECK (account_type = 'external' OR available >= 0),
        CONSTRAINT balances_version_non_negative CHECK (version >= 0)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX balances_account_asset_key_uq ON balances (ledger_id, account_id, asset_code, key) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE INDEX balances_alias_idx ON balances (ledger_id, alias, key)`);
    await q.query(`CREATE INDEX balances_updated_idx ON balances (updated_at)`);

    await q.query(`
      CREATE TABLE transactions (
        ledger_id uuid NOT NULL,
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        parent_transaction_id uuid,
        description text,
        code text,
        chart_of_accounts_group_name text,
        status_code text NOT NULL,
        status_description text,
        amount numeric NOT NULL CHECK (amount > 0),
        asset_code text NOT NULL,
        source text[] NOT NULL,
        destination text[] NOT NULL,
        body jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        idempotency_key text,
        expires_at timestamptz,
        transaction_date timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        PRIMARY KEY (ledger_id, id),
        FOREIGN KEY (ledger_id, parent_transaction_id) REFERENCES transactions (ledger_id, id),
        CONSTRAINT transactions_status_known CHECK (status_code IN ('APPROVED', 'PENDING', 'CANCELED'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX transactions_one_revert_uq ON transactions (ledger_id, parent_transaction_id) WHERE parent_transaction_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX transactions_pending_expiry_idx ON transactions (expires_at) WHERE status_code = 'PENDING'`);
    await q.query(`CREATE INDEX transactions_updated_idx ON transactions (updated_at)`);

    await q.query(`
      CREATE TABLE operations (
        ledger_id uuid NOT NULL,
        id uuid NOT NULL,
        organization_id uuid NOT NULL,
        transaction_id uuid NOT NULL,
        balance_id uuid NOT NULL,
        account_id uuid NOT NULL,
        account_alias text NOT NULL,
        balance_key text NOT NULL,
        asset_code text NOT NULL,
        type text NOT NULL CHECK (type IN ('DEBIT', 'CREDIT', 'ON_HOLD', 'RELEASE')),
        amount numeric NOT NULL CHECK (amount > 0),
        available_before numeric NOT NULL,
        on_hold_before numeric NOT NULL,
        version_before bigint NOT NULL,
        available_after numeric NOT NULL,
        on_hold_after numeric NOT NULL,
        version_after bigint NOT NULL,
        description text,
        chart_of_accounts text,
        status_code text NOT NULL DEFAULT 'APPROVED',
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        PRIMARY KEY (ledger_id, id),
        FOREIGN KEY (ledger_id, transaction_id) REFERENCES transactions (ledger_id, id),
        FOREIGN KEY (ledger_id, balance_id) REFERENCES balances (ledger_id, id),
        CONSTRAINT operations_version_step CHECK (version_after = version_before + 1),
        UNIQUE (ledger_id, balance_id, version_after)
      )`);
    await q.query(`CREATE INDEX operations_transaction_idx ON operations (ledger_id, transaction_id)`);
    await q.query(`CREATE INDEX operations_account_idx ON operations (ledger_id, account_id, id)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        ledger_id uuid NOT NULL,
        key text NOT NULL,
        organization_id uuid NOT NULL,
        request_hash text NOT NULL,
        transaction_id uuid,
        response_status integer,
        response jsonb,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ledger_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'idempotency_keys',
      'operations',
      'transactions',
      'balances',
      'accounts',
      'segments',
      'portfolios',
      'assets',
      'ledgers',
      'organizations',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
