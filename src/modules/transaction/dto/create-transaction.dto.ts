import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { METADATA_SCHEMA } from '../../../common/http/common.dto';
import { IsMetadata } from '../../../common/http/metadata.validator';
import { IsAmount } from '../../../common/money/is-amount.validator';

/** An account alias, including the @external/{ASSET} accounts. */
const LEG_ALIAS = /^(@external\/[A-Z0-9]{1,20}|@?[A-Za-z0-9_.:-]{1,100})$/;
/** Hard cap for the DTO; the configured POSTING_MAX_LEGS is checked by the service. */
const MAX_LEGS_HARD = 1000;

export class AmountDto {
  @ApiProperty({ example: 'USD' })
  @IsDefined()
  @IsString()
  @Length(1, 20)
  asset: string;

  @ApiProperty({ example: '100.00', description: 'Decimal string, > 0, at most 18 decimals' })
  @IsDefined()
  @IsAmount()
  value: string;
}

export class ShareDto {
  @ApiProperty({ example: 50, minimum: 0, maximum: 100 })
  @IsDefined()
  @IsInt()
  @Min(0)
  @Max(100)
  percentage: number;

  @ApiPropertyOptional({ example: 100, minimum: 0, maximum: 100, default: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  percentageOfPercentage?: number;
}

export class FromToDto {
  @ApiProperty({ example: '@alice' })
  @IsDefined()
  @IsString()
  @Matches(LEG_ALIAS, { message: 'accountAlias must be an account alias' })
  accountAlias: string;

  @ApiPropertyOptional({ example: 'default' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'balanceKey must be 1-100 letters, digits, _ . : -' })
  balanceKey?: string;

  @ApiPropertyOptional({ type: AmountDto, description: 'Exactly one of amount, share, remaining' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AmountDto)
  amount?: AmountDto;

  @ApiPropertyOptional({ type: ShareDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ShareDto)
  share?: ShareDto;

  @ApiPropertyOptional({ example: 'remaining', description: 'Takes what the other legs leave' })
  @IsOptional()
  @IsString()
  @Length(1, 20)
  remaining?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) chartOfAccounts?: string;

  @ApiPropertyOptional(METADATA_SCHEMA)
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, unknown>;
}

export class SourceDto {
  @ApiProperty({ type: [FromToDto] })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LEGS_HARD)
  @ValidateNested({ each: true })
  @Type(() => FromToDto)
  from: FromToDto[];
}

export class DistributeDto {
  @ApiProperty({ type: [FromToDto] })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LEGS_HARD)
  @ValidateNested({ each: true })
  @Type(() => FromToDto)
  to: FromToDto[];
}

class SendBaseDto {
  @ApiProperty({ example: 'USD' })
  @IsDefined()
  @IsString()
  @Matches(/^[A-Z0-9]{1,20}$/, { message: 'asset must be an upper-case asset code' })
  asset: string;

  @ApiProperty({ example: '100.00', description: 'Decimal string, > 0, at most 18 decimals and 38 significant digits' })
  @IsDefined()
  @IsAmount()
  value: string;
}

export class JsonSendDto extends SendBaseDto {
  @ApiProperty({ type: SourceDto }) @IsDefined() @ValidateNested() @Type(() => SourceDto) source: SourceDto;
  @ApiProperty({ type: DistributeDto }) @IsDefined() @ValidateNested() @Type(() => DistributeDto) distribute: DistributeDto;
}

export class InflowSendDto extends SendBaseDto {
  @ApiProperty({ type: DistributeDto }) @IsDefined() @ValidateNested() @Type(() => DistributeDto) distribute: DistributeDto;
}

export class OutflowSendDto extends SendBaseDto {
  @ApiProperty({ type: SourceDto }) @IsDefined() @ValidateNested() @Type(() => SourceDto) source: SourceDto;
}

class TransactionBaseDto {
  @ApiPropertyOptional({ example: 'Invoice 42' }) @IsOptional() @IsString() @Length(0, 256) description?: string;
  @ApiPropertyOptional({ example: 'PIX' }) @IsOptional() @IsString() @Length(0, 100) code?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) chartOfAccountsGroupName?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Business date of the transaction (informational)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  transactionDate?: string;

  @ApiPropertyOptional(METADATA_SCHEMA)
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, unknown>;
}

class PendingCapableDto extends TransactionBaseDto {
  @ApiPropertyOptional({ default: false, description: 'Hold the funds until commit or cancel' })
  @IsOptional()
  @IsBoolean()
  pending?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'Pending only: cancel the hold automatically at this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class CreateTransactionDto extends PendingCapableDto {
  @ApiProperty({ type: JsonSendDto }) @IsDefined() @ValidateNested() @Type(() => JsonSendDto) send: JsonSendDto;
}

export class CreateInflowDto extends TransactionBaseDto {
  @ApiProperty({ type: InflowSendDto }) @IsDefined() @ValidateNested() @Type(() => InflowSendDto) send: InflowSendDto;
}

export class CreateOutflowDto extends PendingCapableDto {
  @ApiProperty({ type: OutflowSendDto }) @IsDefined() @ValidateNested() @Type(() => OutflowSendDto) send: OutflowSendDto;
}

export class UpdateAnnotationsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) description?: string;

  @ApiPropertyOptional(METADATA_SCHEMA)
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, unknown>;
}
