import { applyDecorators, Injectable, PipeTransform } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { AppError } from '../../../common/errors/app-error';
import { ListQuery, parseListQuery } from '../../../common/pagination/list-query';
import { AppConfig } from '../../../config/app-config';
import { ReportScope } from '../reconciliation.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ReportListQuery {
  list: ListQuery;
  scope: ReportScope;
}

function uuidParam(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !UUID.test(raw)) {
    throw new AppError('BAD_REQUEST', `${name} must be a UUID.`, { fields: { [name]: 'must be a UUID' } });
  }
  return raw.toLowerCase();
}

/** Page-based list parameters plus organization_id / ledger_id (cursor and metadata filters are refused). */
@Injectable()
export class ReportListQueryPipe implements PipeTransform<Record<string, unknown>, ReportListQuery> {
  constructor(private readonly config: AppConfig) {}

  transform(raw: Record<string, unknown>): ReportListQuery {
    const { organization_id, ledger_id, ...rest } = raw ?? {};
    for (const name of Object.keys(rest)) {
      if (name === 'cursor' || name.startsWith('metadata.')) {
        throw new AppError('UNEXPECTED_FIELDS', `Unknown query parameter ${name}.`, { fields: { [name]: 'unknown parameter' } });
      }
    }
    const list = parseListQuery(rest, {
      defaultLimit: this.config.get('PAGINATION_DEFAULT_LIMIT'),
      maxLimit: this.config.get('PAGINATION_MAX_LIMIT'),
    });
    return { list, scope: { organizationId: uuidParam(organization_id, 'organization_id'), ledgerId: uuidParam(ledger_id, 'ledger_id') } };
  }
}

export function ApiReportListQuery(): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'limit', required: false, type: Number, description: 'Items per page (max 100, default 10)' }),
    ApiQuery({ name: 'page', required: false, type: Number, description: 'Page number, from 1' }),
    ApiQuery({ name: 'sort_order', required: false, enum: ['asc', 'desc'], description: 'By start time; default desc' }),
    ApiQuery({ name: 'start_date', required: false, type: String, description: 'YYYY-MM-DD or ISO-8601; started at or after' }),
    ApiQuery({ name: 'end_date', required: false, type: String, description: 'YYYY-MM-DD or ISO-8601; started at or before' }),
    ApiQuery({ name: 'organization_id', required: false, type: String, description: 'Status and issues of this organization only' }),
    ApiQuery({ name: 'ledger_id', required: false, type: String, description: 'Status and issues of this ledger only' }),
  );
}
