import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class BalanceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty({ example: '@alice' }) alias: string;
  @ApiProperty({ example: 'default' }) key: string;
  @ApiProperty({ example: 'USD' }) assetCode: string;
  @ApiProperty({ example: '1500.25', description: 'Decimal string' }) available: string;
  @ApiProperty({ example: '0', description: 'Decimal string' }) onHold: string;
  @ApiProperty({ example: 3, description: 'Number of operations applied to this balance' }) version: number;
  @ApiProperty({ example: 'deposit' }) accountType: string;
  @ApiProperty() allowSending: boolean;
  @ApiProperty() allowReceiving: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, example: {} }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) deletedAt: string | null;
}

export class BalancePageDto {
  @ApiProperty({ type: [BalanceDto] }) items: BalanceDto[];
  @ApiProperty({ example: 10 }) limit: number;
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
  @ApiProperty({ nullable: true, type: String }) prev_cursor: string | null;
}

export class UpdateBalanceDto {
  @ApiPropertyOptional({ description: 'Whether the balance may be debited' })
  @IsOptional()
  @IsBoolean()
  allowSending?: boolean;

  @ApiPropertyOptional({ description: 'Whether the balance may be credited' })
  @IsOptional()
  @IsBoolean()
  allowReceiving?: boolean;
}

export class BalanceHistoryItemDto {
  @ApiProperty({ format: 'uuid', description: 'The operation that moved the balance' }) operationId: string;
  @ApiProperty({ format: 'uuid' }) transactionId: string;
  @ApiProperty({ enum: ['DEBIT', 'CREDIT', 'ON_HOLD', 'RELEASE'], example: 'DEBIT' }) type: string;
  @ApiProperty({ example: '25.5', description: 'Decimal string: the amount of the operation' }) amount: string;
  @ApiProperty({ example: '1474.75', description: 'Decimal string: available after the operation' }) available: string;
  @ApiProperty({ example: '0', description: 'Decimal string: on hold after the operation' }) onHold: string;
  @ApiProperty({ example: 4, description: 'The balance version after the operation (the list is in this order, ascending)' })
  version: number;
  @ApiProperty({ format: 'date-time', description: "The operation's timestamp (its transaction's time)" }) createdAt: string;
}

export class BalanceHistoryPageDto {
  @ApiProperty({ type: [BalanceHistoryItemDto] }) items: BalanceHistoryItemDto[];
  @ApiProperty({ example: 10 }) limit: number;
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
  @ApiProperty({ nullable: true, type: String }) prev_cursor: string | null;
}
