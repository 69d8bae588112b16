import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDto } from '../../../common/http/api-errors.decorator';
import { METADATA_SCHEMA, StatusDto } from '../../../common/http/common.dto';

export class SnapshotDto {
  @ApiProperty({ example: '100', description: 'Decimal string' }) available: string;
  @ApiProperty({ example: '0', description: 'Decimal string' }) onHold: string;
  @ApiProperty({ example: 4 }) version: number;
}

export class OperationAmountDto {
  @ApiProperty({ example: '25.5', description: 'Decimal string' }) value: string;
}

export class OperationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) transactionId: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ enum: ['DEBIT', 'CREDIT', 'ON_HOLD', 'RELEASE'] }) type: string;
  @ApiProperty({ example: 'USD' }) assetCode: string;
  @ApiProperty({ nullable: true, type: String }) chartOfAccounts: string | null;
  @ApiProperty({ type: OperationAmountDto }) amount: OperationAmountDto;
  @ApiProperty({ type: SnapshotDto, description: 'Balance before the operation' }) balance: SnapshotDto;
  @ApiProperty({ type: SnapshotDto, description: 'Balance after the operation' }) balanceAfter: SnapshotDto;
  @ApiProperty({ type: StatusDto }) status: StatusDto;
  @ApiProperty({ format: 'uuid' }) accountId: string;
  @ApiProperty({ example: '@alice' }) accountAlias: string;
  @ApiProperty({ format: 'uuid' }) balanceId: string;
  @ApiProperty({ example: 'default' }) balanceKey: string;
  @ApiProperty() balanceAffected: boolean;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty(METADATA_SCHEMA) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class TransactionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentTransactionId: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String }) code: string | null;
  @ApiProperty({ type: StatusDto }) status: StatusDto;
  @ApiProperty({ example: '100', description: 'Decimal string' }) amount: string;
  @ApiProperty({ example: 'USD' }) assetCode: string;
  @ApiProperty({ nullable: true, type: String }) chartOfAccountsGroupName: string | null;
  @ApiProperty({ type: [String], example: ['@alice'] }) source: string[];
  @ApiProperty({ type: [String], example: ['@bob'] }) destination: string[];
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ type: [OperationDto] }) operations: OperationDto[];
  @ApiProperty(METADATA_SCHEMA) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Pending holds only' }) expiresAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) transactionDate: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) deletedAt: string | null;
}

export class TransactionPageDto {
  @ApiProperty({ type: [TransactionDto] }) items: TransactionDto[];
  @ApiProperty({ example: 10 }) limit: number;
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
  @ApiProperty({ nullable: true, type: String }) prev_cursor: string | null;
}

export class OperationPageDto {
  @ApiProperty({ type: [OperationDto] }) items: OperationDto[];
  @ApiProperty({ example: 10 }) limit: number;
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
  @ApiProperty({ nullable: true, type: String }) prev_cursor: string | null;
}

export class BatchItemDto {
  @ApiProperty({ example: 0, description: 'Position of the item in the request' }) index: number;
  @ApiProperty({ example: 201, description: 'The status its single route would have answered' }) status: number;
  @ApiPropertyOptional({ type: TransactionDto, description: 'The transaction, when the item succeeded' }) transaction?: TransactionDto;
  @ApiPropertyOptional({ type: ErrorDto, description: 'Why the item was refused (independent mode only)' }) error?: ErrorDto;
  @ApiPropertyOptional({ description: 'true when its idempotencyKey answered from a stored result' }) replayed?: boolean;
}

export class BatchResponseDto {
  @ApiProperty({ type: [BatchItemDto], description: 'One entry per item, in request order' }) items: BatchItemDto[];
}
