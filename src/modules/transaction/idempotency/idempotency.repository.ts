import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { invariant } from '../../../common/errors/app-error';

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
      text: `INSERT INTO idempotency_keys (ledger_id, key, organization_id, request_hash, expires_at)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[])
             ON CONFLICT (ledger_id, key) DO UPDATE
               SET organization_id = EXCLUDED.organization_id, request_hash = EXCLUDED.request_hash,
                   expires_at = EXCLUDED.expires_at, transaction_id = NULL, response = NULL,
                   response_status = NULL, created_at = now()
               WHERE idempotency_keys.expires_at < now()
             RETURNING ledger_id, key`,
      values: [
        sorted.map((c) => c.ledgerId),
        sorted.map((c) => c.key),
        sorted.map((c) => c.organizationId),
        sorted.map((c) => c.requestHash),
        sorted.map((c) => c.expiresAt),
      ],
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
               FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::jsonb[]) AS u(ledger_id, key, transaction_id, status, response)
              WHERE i.ledger_id = u.ledger_id AND i.key = u.key`,
      values: [
        results.map((r) => r.ledgerId),
        results.map((r) => r.key),
        results.map((r) => r.transactionId),
        results.map((r) => r.status),
        results.map((r) => json(r.response)),
      ],
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
