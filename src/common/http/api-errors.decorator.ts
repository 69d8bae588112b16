import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions, ApiResponse } from '@nestjs/swagger';

const FIELDS_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { type: 'string' },
  example: { name: 'name must be a string' },
  description: 'Validation message per field',
};

export class ErrorDto {
  @ApiProperty({ example: '0007', description: 'Stable error code' }) code: string;
  @ApiProperty({ example: 'Entity Not Found' }) title: string;
  @ApiProperty({ example: 'Account not found.' }) message: string;
  @ApiProperty({ required: false, example: 'Account' }) entityType?: string;
  @ApiPropertyOptional(FIELDS_SCHEMA)
  fields?: Record<string, string>;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Validation failed (see fields)',
  404: 'Unknown resource, or one of another organization',
  409: 'Conflicts with an existing resource or state',
  413: 'Body too large',
  422: 'Refused by a ledger rule',
  503: 'A backing service is unavailable',
};

/** Documents the error responses of a route, all with the ErrorDto shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorDto })),
  );
}

/**
 * The 503s of a route that posts (G11): Postgres says which case the client is in, and the
 * answer says what to do. Both carry Retry-After.
 */
export function ApiPostingUnavailable(): MethodDecorator {
  return ApiResponse({
    status: 503,
    type: ErrorDto,
    description:
      'Code 1003: not applied (Postgres unreachable, or the connection was lost before the commit); send it again. ' +
      'Code 1006: the connection was lost at commit and the outcome could not be confirmed; resend with the same ' +
      'X-Idempotency key, which applies it at most once and answers the stored result if it was applied.',
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', example: 1 } } },
  });
}
