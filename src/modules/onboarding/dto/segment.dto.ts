import { ApiProperty, PartialType } from '@nestjs/swagger';
import { IsDefined, IsString, Length } from 'class-validator';
import { EntityTimestampsDto } from '../../../common/http/common.dto';
import { OnboardingInputDto } from './base-input.dto';

export class CreateSegmentDto extends OnboardingInputDto {
  @ApiProperty({ example: 'North region', maxLength: 256 })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  name: string;
}

export class UpdateSegmentDto extends PartialType(CreateSegmentDto) {}

export class SegmentDto extends EntityTimestampsDto {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty() name: string;
}

export class SegmentPageDto {
  @ApiProperty({ type: [SegmentDto] }) items: SegmentDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}
