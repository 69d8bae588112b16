/**
 * TypeORM's `query()` answers `[rows, rowCount]` for UPDATE/DELETE ... RETURNING (but plain
 * rows for SELECT and INSERT); this returns the rows either way.
 */
export async function updateReturning<T>(
  runner: { query(sql: string, params?: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result = await runner.query(sql, params);
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}
