import { arrayLiteral, plainArrayLiteral } from './array-literal';

/** One column of a multi-row write: its name, element type, and how a row gives its value. */
export interface UnnestColumn<R> {
  name: string;
  /** Postgres type of one element: the parameter is `$n::<type>[]`. */
  type: string;
  value: (row: R) => string | null;
  /**
   * Values the service formats itself and that never hold a quote or backslash (uuids, amounts,
   * versions, ISO timestamps, fixed words): their array literal skips the escaping check.
   */
  plain?: boolean;
  /** SQL cast applied when the value is selected (a text[] column arrives as a text literal). */
  cast?: string;
}

/**
 * Rows of one table written by one statement (DESIGN section 2: a constant number of
 * statements per batch): each column is one array parameter, unnested back into rows. Rows are
 * named objects; the parameter numbers follow from the column list, never written by hand.
 */
export class UnnestRows<R> {
  constructor(private readonly columns: ReadonlyArray<UnnestColumn<R>>) {}

  /** Parameters this table takes (one per column). */
  get width(): number {
    return this.columns.length;
  }

  /** `a, b, c`: the column list of an INSERT. */
  get names(): string {
    return this.columns.map((c) => c.name).join(', ');
  }

  /** `u.a, u.b::text[], ...`: the columns as selected from the unnested rows (alias u). */
  get selected(): string {
    return this.columns.map((c) => `u.${c.name}${c.cast ? `::${c.cast}` : ''}`).join(', ');
  }

  /** `unnest($first::t[], ...) AS u(a, b, ...)`, its parameters numbered from `first`. */
  unnest(first: number): string {
    const params = this.columns.map((c, i) => `$${first + i}::${c.type}[]`).join(', ');
    return `unnest(${params}) AS u(${this.names})`;
  }

  /** The parameter values for these rows: one array literal per column, in column order. */
  values(rows: readonly R[]): string[] {
    return this.columns.map((c) => (c.plain ? plainArrayLiteral(rows, c.value) : arrayLiteral(rows, c.value)));
  }
}
