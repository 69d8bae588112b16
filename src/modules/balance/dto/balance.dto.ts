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
