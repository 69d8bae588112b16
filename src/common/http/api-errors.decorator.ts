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
