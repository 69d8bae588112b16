import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsOptional, IsString, IsUUID, Length, Matches, NotEquals } from 'class-validator';
import { EntityTimestampsDto } from '../../../common/http/common.dto';
import { OnboardingInputDto } from './base-input.dto';

export const ALIAS_PATTERN = /^@?[A-Za-z0-9_.:-]{1,100}$/;

export class CreateAccountDto extends OnboardingInputDto {
  @ApiProperty({ example: 'USD' })
  @IsDefined()
  @IsString()
  @Matches(/^[A-Z0-9]{1,20}$/, { message: 'assetCode must be an upper-case asset code' })
  assetCode: string;

  @ApiProperty({ example: 'deposit', description: 'Account type (deposit, savings, loans, marketplace, creditCard, ...); "external" is reserved' })
  @IsDefined()
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9_-]{0,49}$/, { message: 'type must be 1-50 letters, digits, _ or -' })
  @NotEquals('external', { message: 'type external is reserved for @external accounts' })
  type: string;

  @ApiPropertyOptional({ example: 'Alice checking', maxLength: 256 })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  name?: string;

  @ApiPropertyOptional({ example: '@alice', description: 'Unique per ledger; defaults to the account id' })
  @IsOptional()
  @IsString()
  @Matches(ALIAS_PATTERN, { message: 'alias must be 1-100 letters, digits, _ . : - with an optional leading @' })
  alias?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() parentAccountId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() portfolioId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() segmentId?: string;

  @ApiPropertyOptional({ example: 'customer-123' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  entityId?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  blocked?: boolean;
}

export class UpdateAccountDto extends PartialType(
  PickType(CreateAccountDto, ['name', 'portfolioId', 'segmentId', 'entityId', 'blocked', 'status', 'metadata'] as const),
) {}

export class AccountDto extends EntityTimestampsDto {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty({ example: 'USD' }) assetCode: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ example: '@alice' }) alias: string;
  @ApiProperty({ example: 'deposit' }) type: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentAccountId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) portfolioId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) segmentId: string | null;
  @ApiProperty({ nullable: true, type: String }) entityId: string | null;
  @ApiProperty() blocked: boolean;
}

export class AccountPageDto {
  @ApiProperty({ type: [AccountDto] }) items: AccountDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}
