import { amountFromDb } from '../../../common/money/amount';
import { balanceCacheKey } from '../../balance/cache/balance-cache.entry';
import { LedgerFinding, Sample } from '../reconciliation.types';
import { CheckContext, CheckOutcome, ReconciliationCheck } from './check';

/** Balances read (and Redis round trips made) per batch. */
const BATCH = 500;

interface BalanceRow {
  ledger_id: string;
  organization_id: string;
  id: string;
  alias: string;
  key: string;
  available: string;
  on_hold: string;
  version: string;
}

type Cached = [id: string | null, version: string | null, available: string | null, onHold: string | null];

/** The cache entry of a balance, under the balance cache's own key: a hash with version, available and onHold. */
const cacheKeyOf = (b: BalanceRow) => balanceCacheKey({ ledgerId: b.ledger_id, alias: b.alias, key: b.key });

const DIGITS = /^[0-9]+$/;

function parseAmount(v: string): bigint | null {
  try {
    return amountFromDb(v);
  } catch {
    return null;
  }
}

/**
 * G8: a cached balance at the same version as Postgres holds the same amounts. Entries at
 * another version are in flight or stale (the cache-sync job repairs them), entries of another
 * balance under the same alias are left by a deleted account whose alias was reused, and missing
 * entries are normal: all are counted as information only and never raise the status. Deleted
 * balances are not compared.
 * Entries that lack the expected fields are counted as `unreadable` and skipped. With Redis
 * down the check is SKIPPED. Only a same-version difference is an issue (WARNING: the cache
 * is never the truth, no money moves).
 */
export class CacheDriftCheck implements ReconciliationCheck {
  readonly name = 'cache-drift';
  readonly title = 'Cached balances equal Postgres at the same version (missing entries are information)';
  readonly raises = 'WARNING (missing or other-version entries: information only)';

  async run({ db, redis, scope }: CheckContext): Promise<CheckOutcome> {
    if (redis.status !== 'ready') return this.skipped(`Redis unavailable (${redis.status})`);
    const where = scope.since === null ? 'WHERE deleted_at IS NULL' : 'WHERE deleted_at IS NULL AND updated_at >= $1';
    await db.query(
      `DECLARE reconciliation_cache_balances NO SCROLL CURSOR FOR
         SELECT ledger_id, organization_id, id, alias, key, available::text, on_hold::text, version::text
           FROM balances ${where} ORDER BY ledger_id, id`,
      scope.since === null ? [] : [scope.since],
    );
    const tally = new Tally(scope.sampleLimit);
    try {
      for (;;) {
        const { rows } = await db.query<BalanceRow>(`FETCH ${BATCH} FROM reconciliation_cache_balances`);
        if (rows.length === 0) break;
        let cached: Cached[];
        try {
          cached = await this.read(redis, rows);
        } catch (err) {
          return this.skipped(`Redis unavailable (${(err as Error).message})`);
        }
        rows.forEach((b, i) => tally.compare(b, cached[i]));
      }
    } finally {
      await db.query(`CLOSE reconciliation_cache_balances`);
    }
    return { scanned: tally.scanned, findings: tally.findings(), info: tally.info };
  }

  private async read(redis: CheckContext['redis'], rows: BalanceRow[]): Promise<Cached[]> {
    const pipeline = redis.pipeline();
    for (const b of rows) pipeline.hmget(cacheKeyOf(b), 'id', 'version', 'available', 'onHold');
    const results = (await pipeline.exec()) ?? [];
    return rows.map((_, i) => {
      const [err, value] = results[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return value as Cached;
    });
  }

  private skipped(reason: string): CheckOutcome {
    return { scanned: 0, findings: [], skipped: reason, info: {} };
  }
}

/** Counts per ledger: drift (WARNING, with samples) and missing entries (INFO). */
class Tally {
  scanned = 0;
  readonly info = { compared: 0, missing: 0, otherVersion: 0, otherBalance: 0, unreadable: 0 };
  private readonly perLedger = new Map<string, { org: string; drift: LedgerFinding; missing: LedgerFinding }>();

  constructor(private readonly sampleLimit: number) {}

  compare(b: BalanceRow, [id, version, available, onHold]: Cached): void {
    this.scanned++;
    if (id === null && version === null && available === null && onHold === null) {
      this.info.missing++;
      this.add(b, 'missing', { entity: 'balance', id: b.id, ledgerId: b.ledger_id, alias: b.alias, key: b.key });
      return;
    }
    const cachedAvailable = available === null ? null : parseAmount(available);
    const cachedOnHold = onHold === null ? null : parseAmount(onHold);
    if (version === null || !DIGITS.test(version) || cachedAvailable === null || cachedOnHold === null) {
      this.info.unreadable++;
      return;
    }
    if (id !== null && id !== b.id) {
      this.info.otherBalance++;
      return;
    }
    if (version !== b.version) {
      this.info.otherVersion++;
      return;
    }
    this.info.compared++;
    if (cachedAvailable === amountFromDb(b.available) && cachedOnHold === amountFromDb(b.on_hold)) return;
    this.add(b, 'drift', {
      entity: 'balance',
      id: b.id,
      ledgerId: b.ledger_id,
      alias: b.alias,
      key: b.key,
      cacheKey: cacheKeyOf(b),
      expected: { available: b.available, onHold: b.on_hold, version: b.version, source: 'postgres' },
      actual: { available, onHold, version, source: 'redis' },
    });
  }

  private add(b: BalanceRow, kind: 'drift' | 'missing', sample: Sample): void {
    let entry = this.perLedger.get(b.ledger_id);
    if (!entry) {
      const base = { organizationId: b.organization_id, ledgerId: b.ledger_id, count: 0 };
      entry = {
        org: b.organization_id,
        drift: { ...base, severity: 'WARNING', samples: [] },
        missing: { ...base, severity: 'INFO', samples: [] },
      };
      this.perLedger.set(b.ledger_id, entry);
    }
    const finding = entry[kind];
    finding.count++;
    if (finding.samples.length < this.sampleLimit) finding.samples.push(sample);
  }

  findings(): LedgerFinding[] {
    const out: LedgerFinding[] = [];
    for (const e of this.perLedger.values()) {
      if (e.drift.count > 0) out.push(e.drift);
      if (e.missing.count > 0) out.push(e.missing);
    }
    return out;
  }
}
