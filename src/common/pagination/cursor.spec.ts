import { CursorWindow } from './cursor';
import { ListQuery } from './list-query';

const query = (over: Partial<ListQuery> = {}): ListQuery => ({ limit: 2, page: 1, sortOrder: 'asc', metadata: {}, ...over });
const keyOf = (p: string) => `SELECT v FROM t WHERE id = ${p}`;

describe('CursorWindow.keyCondition (rows ordered by another key than their id)', () => {
  it('adds nothing without a cursor', () => {
    const params: unknown[] = ['x'];
    expect(new CursorWindow(query()).keyCondition('v', keyOf, params)).toEqual([]);
    expect(params).toEqual(['x']);
  });

  it('goes past the key of the cursor row, forwards and then backwards', () => {
    const rows = [
      { id: '0190a000-0000-7000-8000-000000000001' },
      { id: '0190a000-0000-7000-8000-000000000002' },
      { id: '0190a000-0000-7000-8000-000000000003' },
    ];
    const first = new CursorWindow(query()).page(rows, (r) => r);
    expect(first.next_cursor).not.toBeNull();

    const params: unknown[] = ['x'];
    const next = new CursorWindow(query({ cursor: first.next_cursor! }));
    expect(next.keyCondition('v', keyOf, params)).toEqual(['v > (SELECT v FROM t WHERE id = $2)']);
    expect(params).toEqual(['x', rows[1].id]);
    expect(next.direction).toBe('ASC');

    const second = next.page([rows[2]], (r) => r);
    const back = new CursorWindow(query({ cursor: second.prev_cursor! }));
    const backParams: unknown[] = [];
    expect(back.keyCondition('v', keyOf, backParams)).toEqual(['v < (SELECT v FROM t WHERE id = $1)']);
    expect(back.direction).toBe('DESC');
    expect(backParams).toEqual([rows[2].id]);
  });
});
