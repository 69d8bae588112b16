import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { invariant } from '../../../common/errors/app-error';
import { UnnestRows } from '../../../infrastructure/database/unnest-rows';

export interface IdempotencyClaim {
  ledgerId: string;
  key: string;
  organizationId: string;
  requestHash: string;
  expiresAt: Date;
}

export interface StoredIdempotency {
  ledgerId: string;
  key: string;
  requestHash: string;
  responseStatus: number | null;
  response: unknown;
}

export interface IdempotencyResult {
  ledgerId: string;
  key: string;
  /** The transaction the answer created or settled (null for a batch request's answer). */
  transactionId: string | null;
  status: number;
  response: unknown;
}

const json = (v: unknown) => JSON.stringify(v);

const CLAIMS = new UnnestRows<IdempotencyClaim>([
  { name: 'ledger_id', type: 'uuid', plain: true, value: (c) => c.ledgerId },
  { name: 'key', type: 'text', value: (c) => c.key },
  { name: 'organization_id', type: 'uuid', plain: true, value: (c) => c.organizationId },
  { name: 'request_hash', type: 'text', plain: true, value: (c) => c.requestHash },
  { name: 'expires_at', type: 'timestamptz', plain: true, value: (c) => c.expiresAt.toISOString() },
]);

const ANSWERS = new UnnestRows<IdempotencyResult>([
  { name: 'ledger_id', type: 'uuid', plain: true, value: (r) => r.ledgerId },
  { name: 'key', type: 'text', value: (r) => r.key },
  { name: 'transaction_id', type: 'uuid', plain: true, value: (r) => r.transactionId },
  { name: 'status', type: 'int', plain: true, value: (r) => String(r.status) },
  { name: 'response', type: 'jsonb', value: (r) => json(r.response) },
]);

/** A key is unique per ledger. */
export const claimKey = (ledgerId: string, key: string): string => `${ledgerId}|${key}`;

/**
 * The SQL of idempotency keys (G6), run on a posting batch's own client inside its transaction:
 * the key row is claimed by the batch that applies it, so a key is applied once across instances.
 */
@Injectable()
export class IdempotencyRepository {
  /** Claims idempotency keys (sorted, so two batches never wait on each other in a cycle). */
  async claim(client: PoolClient, claims: IdempotencyClaim[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const sorted = [...claims].sort((a, b) => (a.ledgerId + a.key < b.ledgerId + b.key ? -1 : 1));
    const res = await client.query<{ ledger_id: string; key: string }>({
      name: 'posting_claim_idempotency',
      text: `INSERT INTO idempotency_keys (${CLAIMS.names})
             SELECT ${CLAIMS.selected} FROM ${CLAIMS.unnest(1)}
             ON CONFLICT (ledger_id, key) DO UPDATE
               SET organization_id = EXCLUDED.organization_id, request_hash = EXCLUDED.request_hash,
                   expires_at = EXCLUDED.expires_at, transaction_id = NULL, response = NULL,
                   response_status = NULL, created_at = now()
               WHERE idempotency_keys.expires_at < now()
             RETURNING ledger_id, key`,
      values: CLAIMS.values(sorted),
    });
    return new Set(res.rows.map((r) => claimKey(r.ledger_id, r.key)));
  }

  async readStored(client: PoolClient, keys: Array<{ ledgerId: string; key: string }>): Promise<StoredIdempotency[]> {
    if (keys.length === 0) return [];
    const res = await client.query<{ ledger_id: string; key: string; request_hash: string; response_status: number | null; response: unknown }>({
      name: 'posting_read_idempotency',
      text: `SELECT i.ledger_id, i.key, i.request_hash, i.response_status, i.response
               FROM idempotency_keys i JOIN unnest($1::uuid[], $2::text[]) AS k(ledger_id, key)
                 ON i.ledger_id = k.ledger_id AND i.key = k.key`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.key)],
    });
    return res.rows.map((r) => ({
      ledgerId: r.ledger_id,
      key: r.key,
      requestHash: r.request_hash,
      responseStatus: r.response_status,
      response: r.response,
    }));
  }

  async storeResults(client: PoolClient, results: IdempotencyResult[]): Promise<void> {
    if (results.length === 0) return;
    const res = await client.query({
      name: 'posting_store_idempotency',
      text: `UPDATE idempotency_keys i SET transaction_id = u.transaction_id, response_status = u.status, response = u.response
               FROM ${ANSWERS.unnest(1)}
              WHERE i.ledger_id = u.ledger_id AND i.key = u.key`,
      values: ANSWERS.values(results),
    });
    invariant(res.rowCount === results.length, 'an idempotency claim vanished inside its batch');
  }

  /** Releases claims whose posting was refused, so the client may retry with the same key. */
  async release(client: PoolClient, keys: Array<{ ledgerId: string; key: string }>): Promise<void> {
    if (keys.length === 0) return;
    await client.query({
      name: 'posting_release_idempotency',
      text: `DELETE FROM idempotency_keys i USING unnest($1::uuid[], $2::text[]) AS k(ledger_id, key)
              WHERE i.ledger_id = k.ledger_id AND i.key = k.key AND i.response_status IS NULL`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.key)],
    });
  }
}
