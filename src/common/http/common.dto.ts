import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

/** Request shape of `status` on create/update bodies. */
export class StatusInputDto {
  @ApiProperty({ example: 'ACTIVE', description: 'Status code, upper case' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{0,49}$/, { message: 'code must be upper case letters, digits or _ (max 50)' })
  code: string;

  @ApiPropertyOptional({ example: 'Open for business' })
  @IsOptional()
  @IsString()
  @Length(0, 256)
  description?: string;
}

/** Response shape of `status`. */
export class StatusDto {
  @ApiProperty({ example: 'ACTIVE' })
  code: string;

  @ApiProperty({ nullable: true, type: String, example: null })
  description: string | null;
}

export const METADATA_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
  example: { costCenter: 'CC-42' },
  description: 'Flat key/value pairs: at most 50 keys, keys up to 100 chars, values up to 2,000 chars, no nesting',
};

/** Fields every onboarding response carries. */
export class EntityTimestampsDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: StatusDto })
  status: StatusDto;

  @ApiProperty(METADATA_SCHEMA)
  metadata: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deletedAt: string | null;
}
