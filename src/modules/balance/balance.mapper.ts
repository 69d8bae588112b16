import { formatAmount } from '../../common/money/amount';
import { BalanceDto, BalanceHistoryItemDto } from './dto/balance.dto';
import { Balance, BalanceHistoryEntry } from './balance.types';

export const toBalanceDto = (b: Balance): BalanceDto => ({
  id: b.id,
  organizationId: b.organizationId,
  ledgerId: b.ledgerId,
  accountId: b.accountId,
  alias: b.alias,
  key: b.key,
  assetCode: b.assetCode,
  available: formatAmount(b.available),
  onHold: formatAmount(b.onHold),
  version: Number(b.version),
  accountType: b.accountType,
  allowSending: b.allowSending,
  allowReceiving: b.allowReceiving,
  metadata: {},
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
  deletedAt: b.deletedAt ? b.deletedAt.toISOString() : null,
});

export const toBalanceHistoryItemDto = (e: BalanceHistoryEntry): BalanceHistoryItemDto => ({
  operationId: e.id,
  transactionId: e.transactionId,
  type: e.type,
  amount: formatAmount(e.amount),
  available: formatAmount(e.available),
  onHold: formatAmount(e.onHold),
  version: Number(e.version),
  createdAt: e.createdAt.toISOString(),
});
