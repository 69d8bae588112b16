import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Length } from 'class-validator';
import { EntityTimestampsDto } from '../../../common/http/common.dto';
import { OnboardingInputDto } from './base-input.dto';

export class CreatePortfolioDto extends OnboardingInputDto {
  @ApiProperty({ example: 'Retail customers', maxLength: 256 })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  name: string;

  @ApiPropertyOptional({ example: 'customer-123' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  entityId?: string;
}

export class UpdatePortfolioDto extends PartialType(CreatePortfolioDto) {}

export class PortfolioDto extends EntityTimestampsDto {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) entityId: string | null;
}

export class PortfolioPageDto {
  @ApiProperty({ type: [PortfolioDto] }) items: PortfolioDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}
