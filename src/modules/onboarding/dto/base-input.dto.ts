import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { StatusInputDto, METADATA_SCHEMA } from '../../../common/http/common.dto';
import { IsMetadata } from '../../../common/http/metadata.validator';

/** status and metadata, accepted on every onboarding create and update body. */
export class OnboardingInputDto {
  @ApiPropertyOptional({ type: StatusInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StatusInputDto)
  status?: StatusInputDto;

  @ApiPropertyOptional(METADATA_SCHEMA)
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, unknown>;
}
