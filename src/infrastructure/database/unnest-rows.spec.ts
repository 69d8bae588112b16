import { UnnestRows } from './unnest-rows';

interface Row {
  id: string;
  note: string | null;
  tags: string;
}

const rows = new UnnestRows<Row>([
  { name: 'id', type: 'uuid', plain: true, value: (r) => r.id },
  { name: 'note', type: 'text', value: (r) => r.note },
  { name: 'tags', type: 'text', cast: 'text[]', value: (r) => r.tags },
]);

describe('UnnestRows', () => {
  it('numbers its parameters from where the statement places it, in column order', () => {
    expect(rows.width).toBe(3);
    expect(rows.names).toBe('id, note, tags');
    expect(rows.unnest(5)).toBe('unnest($5::uuid[], $6::text[], $7::text[]) AS u(id, note, tags)');
    expect(rows.selected).toBe('u.id, u.note, u.tags::text[]');
  });

  it('gives one array literal per column, escaping free text and keeping NULLs', () => {
    expect(rows.values([{ id: 'a', note: 'say "hi" \\ bye', tags: '{x}' }, { id: 'b', note: null, tags: '{}' }])).toEqual([
      '{"a","b"}',
      '{"say \\"hi\\" \\\\ bye",NULL}',
      '{"{x}","{}"}',
    ]);
  });
});
