import { applyDecorators, Injectable, PipeTransform } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { AppConfig } from '../../config/app-config';
import { ListQuery, parseListQuery } from './list-query';

/** Use as @Query(ListQueryPipe) q: ListQuery. */
@Injectable()
export class ListQueryPipe implements PipeTransform<Record<string, unknown>, ListQuery> {
  constructor(private readonly config: AppConfig) {}

  transform(raw: Record<string, unknown>): ListQuery {
    return parseListQuery(raw, {
      defaultLimit: this.config.get('PAGINATION_DEFAULT_LIMIT'),
      maxLimit: this.config.get('PAGINATION_MAX_LIMIT'),
    });
  }
}

/** Swagger documentation of the list query parameters. */
export function ApiListQuery(kind: 'page' | 'cursor' = 'page'): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'limit', required: false, type: Number, description: 'Items per page (max 100, default 10)' }),
    kind === 'page'
      ? ApiQuery({ name: 'page', required: false, type: Number, description: 'Page number, from 1' })
      : ApiQuery({ name: 'cursor', required: false, type: String, description: 'Opaque cursor from next_cursor/prev_cursor' }),
    ApiQuery({ name: 'sort_order', required: false, enum: ['asc', 'desc'], description: 'By creation time; default desc' }),
    ApiQuery({ name: 'start_date', required: false, type: String, description: 'YYYY-MM-DD or ISO-8601; created at or after' }),
    ApiQuery({ name: 'end_date', required: false, type: String, description: 'YYYY-MM-DD or ISO-8601; created at or before' }),
    ApiQuery({
      name: 'metadata.{key}',
      required: false,
      type: String,
      description: 'Filter by a metadata value, e.g. metadata.region=eu',
    }),
  );
}
