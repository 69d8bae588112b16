import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { METADATA_SCHEMA } from '../../../common/http/common.dto';
import { IsMetadata } from '../../../common/http/metadata.validator';

/** PATCH body of a transaction or an operation: only description and metadata may change. */
export class UpdateAnnotationsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) description?: string;

  @ApiPropertyOptional(METADATA_SCHEMA)
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, unknown>;
}
