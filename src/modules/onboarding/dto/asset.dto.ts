import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { IsDefined, IsIn, IsString, Length, Matches } from 'class-validator';
import { EntityTimestampsDto } from '../../../common/http/common.dto';
import { ASSET_TYPES } from '../entities/asset.entity';
import { OnboardingInputDto } from './base-input.dto';

export class CreateAssetDto extends OnboardingInputDto {
  @ApiProperty({ example: 'US Dollar', maxLength: 256 })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  name: string;

  @ApiProperty({ enum: ASSET_TYPES, example: 'currency' })
  @IsDefined()
  @IsIn(ASSET_TYPES)
  type: string;

  @ApiProperty({ example: 'USD', description: 'Upper-case letters and digits, 1-20 characters' })
  @IsDefined()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,20}$/, { message: 'code must be 1-20 letters or digits' })
  code: string;
}

export class UpdateAssetDto extends PartialType(OmitType(CreateAssetDto, ['type', 'code'] as const)) {}

export class AssetDto extends EntityTimestampsDto {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ASSET_TYPES }) type: string;
  @ApiProperty({ example: 'USD' }) code: string;
}

export class AssetPageDto {
  @ApiProperty({ type: [AssetDto] }) items: AssetDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}
