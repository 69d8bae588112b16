import { AppError } from '../errors/app-error';
import { CursorPage, ListQuery } from './list-query';

interface CursorToken {
  id: string;
  /** true when the cursor points backwards (a prev_cursor). */
  back: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function encode(t: CursorToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decode(raw: string): CursorToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as CursorToken;
    if (typeof t?.id === 'string' && UUID.test(t.id) && typeof t.back === 'boolean') return t;
  } catch {
    // fall through
  }
  throw new AppError('BAD_REQUEST', 'cursor is not valid.', { fields: { cursor: 'not a cursor from this API' } });
}

/**
 * Keyset pagination over UUIDv7 ids (time ordered): the cursor is the id of the
 * last (or first) row seen, so pages stay stable while rows are being inserted.
 */
export class CursorWindow {
  private readonly token?: CursorToken;

  constructor(private readonly q: ListQuery) {
    if (q.cursor !== undefined) this.token = decode(q.cursor);
  }

  private get backwards(): boolean {
    return this.token?.back ?? false;
  }

  /** The SQL order to fetch rows in (reversed when paging backwards). */
  get direction(): 'ASC' | 'DESC' {
    const desc = this.q.sortOrder === 'desc';
    return desc !== this.backwards ? 'DESC' : 'ASC';
  }

  get fetchLimit(): number {
    return this.q.limit + 1;
  }

  /** WHERE conditions for the cursor and date range; pushes their values onto params. */
  conditions(idColumn: string, createdColumn: string, params: unknown[]): string[] {
    const out: string[] = [];
    if (this.token) out.push(`${idColumn} ${this.direction === 'DESC' ? '<' : '>'} $${params.push(this.token.id)}`);
    if (this.q.startDate) out.push(`${createdColumn} >= $${params.push(this.q.startDate)}`);
    if (this.q.endBefore) out.push(`${createdColumn} < $${params.push(this.q.endBefore)}`);
    return out;
  }

  /**
   * The cursor condition for rows listed in the order of another unique key than their id (a
   * balance's operations by version): `keyOf(p)` is the SQL of that key for the row whose id is
   * parameter p. A cursor naming no such row matches nothing.
   */
  keyCondition(keyColumn: string, keyOf: (idParam: string) => string, params: unknown[]): string[] {
    if (!this.token) return [];
    return [`${keyColumn} ${this.direction === 'DESC' ? '<' : '>'} (${keyOf(`$${params.push(this.token.id)}`)})`];
  }

  page<T extends { id: string }, R>(rows: T[], map: (row: T) => R): CursorPage<R> {
    const hasMore = rows.length > this.q.limit;
    const items = rows.slice(0, this.q.limit);
    if (this.backwards) items.reverse();
    const first = items[0];
    const last = items[items.length - 1];
    const moreAfter = this.backwards ? this.token !== undefined : hasMore;
    const moreBefore = this.backwards ? hasMore : this.token !== undefined;
    return {
      items: items.map(map),
      limit: this.q.limit,
      next_cursor: moreAfter && last ? encode({ id: last.id, back: false }) : null,
      prev_cursor: moreBefore && first ? encode({ id: first.id, back: true }) : null,
    };
  }
}
