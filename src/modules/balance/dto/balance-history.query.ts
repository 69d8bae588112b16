import { applyDecorators, Injectable, PipeTransform } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { AppError } from '../../../common/errors/app-error';
import { ListLimits, ListQuery, parseListQuery } from '../../../common/pagination/list-query';
import { validInstant } from '../../../common/time/instant';
import { AppConfig } from '../../../config/app-config';

/** GET .../balances/{id}/history: an optional instant range and a cursor page, by version ascending. */
export interface BalanceHistoryQuery {
  from?: Date;
  to?: Date;
  /** limit and cursor (sort order is always ascending: by version). */
  page: ListQuery;
}

const KNOWN = new Set(['from', 'to', 'limit', 'cursor']);

/**
 * Parses the history query: `from` and `to` are RFC 3339 instants (a bad one is INVALID_DATE,
 * `from` after `to` INVALID_DATE_RANGE), `limit` and `cursor` as in every cursor list; any other
 * parameter is refused so a typo never widens the range silently.
 */
export function parseBalanceHistoryQuery(raw: Record<string, unknown>, limits: ListLimits): BalanceHistoryQuery {
  for (const name of Object.keys(raw ?? {})) {
    if (!KNOWN.has(name)) {
      throw new AppError('UNEXPECTED_FIELDS', `Unknown query parameter ${name}.`, { fields: { [name]: 'unknown parameter' } });
    }
  }
  const from = raw.from === undefined ? undefined : validInstant(raw.from, 'from');
  const to = raw.to === undefined ? undefined : validInstant(raw.to, 'to');
  if (from && to && from > to) {
    throw new AppError('INVALID_DATE_RANGE', 'from must not be after to.', { fields: { from: 'after to' } });
  }
  const pageParams: Record<string, unknown> = {};
  if (raw.limit !== undefined) pageParams.limit = raw.limit;
  if (raw.cursor !== undefined) pageParams.cursor = raw.cursor;
  const page = { ...parseListQuery(pageParams, limits), sortOrder: 'asc' as const };
  return { from, to, page };
}

/** Use as @Query(BalanceHistoryQueryPipe) q: BalanceHistoryQuery. */
@Injectable()
export class BalanceHistoryQueryPipe implements PipeTransform<Record<string, unknown>, BalanceHistoryQuery> {
  constructor(private readonly config: AppConfig) {}

  transform(raw: Record<string, unknown>): BalanceHistoryQuery {
    return parseBalanceHistoryQuery(raw, {
      defaultLimit: this.config.get('PAGINATION_DEFAULT_LIMIT'),
      maxLimit: this.config.get('PAGINATION_MAX_LIMIT'),
    });
  }
}

/** Swagger documentation of the history query parameters. */
export function ApiBalanceHistoryQuery(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'from',
      required: false,
      type: String,
      example: '2026-12-01T00:00:00Z',
      description: 'RFC 3339 instant: only the operations that moved the balance at or after it (see the route description)',
    }),
    ApiQuery({
      name: 'to',
      required: false,
      type: String,
      example: '2026-12-31T23:59:59.999Z',
      description: 'RFC 3339 instant: only the operations that moved the balance at or before it',
    }),
    ApiQuery({ name: 'limit', required: false, type: Number, description: 'Items per page (max 100, default 10)' }),
    ApiQuery({ name: 'cursor', required: false, type: String, description: 'Opaque cursor from next_cursor/prev_cursor' }),
  );
}
