import { ApiProperty, PartialType } from '@nestjs/swagger';
import { IsDefined, IsString, Length } from 'class-validator';
import { EntityTimestampsDto } from '../../../common/http/common.dto';
import { OnboardingInputDto } from './base-input.dto';

export class CreateLedgerDto extends OnboardingInputDto {
  @ApiProperty({ example: 'Main ledger', maxLength: 256 })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  name: string;
}

export class UpdateLedgerDto extends PartialType(CreateLedgerDto) {}

export class LedgerDto extends EntityTimestampsDto {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty() name: string;
}

export class LedgerPageDto {
  @ApiProperty({ type: [LedgerDto] }) items: LedgerDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}
