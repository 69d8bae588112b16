import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { parseAmount } from '../../common/money/amount';
import { CursorWindow } from '../../common/pagination/cursor';
import { CursorPage, ListQuery } from '../../common/pagination/list-query';
import { validInstant } from '../../common/time/instant';
import { AppConfig } from '../../config/app-config';
import { externalAlias } from '../balance/balance.types';
import { ScopeService } from '../scope/scope.service';
import { resolveTransfer } from './domain/distribution';
import { DEFAULT_BALANCE_KEY, LegSpec, TransferSpec } from './domain/transfer';
import { FromToBody, TransactionBody, TransactionKind } from './dto/transaction-body.schema';
import { UpdateAnnotationsDto } from './dto/update-annotations.dto';
import { OperationDto, TransactionDto } from './dto/transaction.dto';
import { PostingEngine } from './posting/posting-engine';
import { IdempotencyRequest, requestHash } from './idempotency/idempotency-request';
import { CreateJob, PostingOutcome, TransactionHeader } from './posting/posting.types';
import { RequestAnswer } from './posting/request-batch';
import { TransactionBatchBody } from './dto/transaction-batch.schema';
import { toOperationDto, toTransactionDto } from './transaction.mapper';
import { TransactionRepository } from './transaction.repository';

function legSpec(l: FromToBody, path: string): LegSpec {
  const given = [l.amount, l.share, l.remaining].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new AppError('BAD_REQUEST', `${path} needs exactly one of amount, share or remaining.`, {
      fields: { [path]: 'exactly one of amount, share, remaining' },
    });
  }
  const share: LegSpec['share'] = l.amount
    ? { type: 'amount', asset: l.amount.asset, value: parseAmount(l.amount.value, `${path}.amount.value`) }
    : l.share
      ? { type: 'share', percentage: BigInt(l.share.percentage), percentageOfPercentage: BigInt(l.share.percentageOfPercentage ?? 0) }
      : { type: 'remaining' };
  return {
    alias: l.accountAlias,
    balanceKey: l.balanceKey ?? DEFAULT_BALANCE_KEY,
    share,
    description: l.description,
    chartOfAccounts: l.chartOfAccounts,
    metadata: l.metadata,
  };
}

/** An exact RFC 3339 instant in years 1 to 9999 (2027-02-30 is refused, never read as March 2). */
const externalLeg = (asset: string): LegSpec => ({
  alias: externalAlias(asset),
  balanceKey: DEFAULT_BALANCE_KEY,
  share: { type: 'remaining' },
});

/** Use cases of transactions and operations; postings go through the group-commit engine. */
@Injectable()
export class TransactionService {
  private readonly maxLegs: number;
  private readonly maxBatchItems: number;
  private readonly defaultTtl: number;

  constructor(
    private readonly engine: PostingEngine,
    private readonly transactions: TransactionRepository,
    private readonly scopes: ScopeService,
    config: AppConfig,
  ) {
    this.maxLegs = config.get('POSTING_MAX_LEGS');
    this.maxBatchItems = config.get('TRANSACTION_BATCH_MAX_ITEMS');
    this.defaultTtl = config.get('IDEMPOTENCY_DEFAULT_TTL_S');
  }

  create(
    kind: TransactionKind,
    organizationId: string,
    ledgerId: string,
    dto: TransactionBody,
    idempotency?: IdempotencyRequest,
  ): Promise<PostingOutcome> {
    return this.engine.submit(this.createJob(kind, organizationId, ledgerId, dto, idempotency));
  }

  /**
   * POST .../transactions/batch: every item checked as its single route checks it (a 400 makes
   * the whole request a 400 naming the item; a 422 such as an inexact share is that item's
   * refusal), then all items posted in one database transaction, in request order.
   */
  createBatch(organizationId: string, ledgerId: string, dto: TransactionBatchBody, idempotency?: IdempotencyRequest): Promise<RequestAnswer> {
    if (dto.transactions.length > this.maxBatchItems) {
      throw new AppError('BAD_REQUEST', `A batch holds at most ${this.maxBatchItems} transactions.`, {
        fields: { transactions: `at most ${this.maxBatchItems} items` },
      });
    }
    const items = dto.transactions.map((item, index) => {
      // An item key is the X-Idempotency of the single route: same body, same key, same answer.
      const key = item.idempotencyKey && { key: item.idempotencyKey, ttlSeconds: this.defaultTtl, hash: requestHash(`transactions/${item.type}`, item.body) };
      try {
        return this.createJob(item.type, organizationId, ledgerId, item.body, key || undefined);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.status !== 400) return err;
        throw new AppError(err.key, `transactions[${index}]: ${err.message}`, { ...err.extra, details: { ...err.extra.details, index } });
      }
    });
    return this.engine.submitRequest({ organizationId, ledgerId, atomic: dto.mode === 'atomic', idempotency, items });
  }

  /** The posting of a single-route body: legs resolved to exact amounts, header checked. */
  private createJob(kind: TransactionKind, organizationId: string, ledgerId: string, dto: TransactionBody, idempotency?: IdempotencyRequest): CreateJob {
    const send = dto.send;
    const from = send.source?.from ?? [];
    const to = send.distribute?.to ?? [];
    if (from.length + to.length > this.maxLegs) {
      throw new AppError('TOO_MANY_LEGS', `A transaction may have at most ${this.maxLegs} legs.`);
    }
    const spec: TransferSpec = {
      asset: send.asset,
      value: parseAmount(send.value, 'send.value'),
      sources: kind === 'inflow' ? [externalLeg(send.asset)] : from.map((l, i) => legSpec(l, `send.source.from.${i}`)),
      destinations: kind === 'outflow' ? [externalLeg(send.asset)] : to.map((l, i) => legSpec(l, `send.distribute.to.${i}`)),
    };
    const pending = dto.pending === true;
    return {
      kind: 'create',
      action: pending ? 'hold' : 'post',
      organizationId,
      ledgerId,
      transfer: resolveTransfer(spec),
      header: this.header(dto, pending),
      idempotency,
    };
  }

  commit(organizationId: string, ledgerId: string, transactionId: string): Promise<PostingOutcome> {
    return this.engine.submit({ kind: 'settle', action: 'commit', organizationId, ledgerId, transactionId });
  }

  cancel(organizationId: string, ledgerId: string, transactionId: string): Promise<PostingOutcome> {
    return this.engine.submit({ kind: 'settle', action: 'cancel', organizationId, ledgerId, transactionId });
  }

  /** A cancel by the expiry job (recorded as metadata.cancelReason = 'expired'). */
  expire(organizationId: string, ledgerId: string, transactionId: string): Promise<PostingOutcome> {
    return this.engine.submit({ kind: 'settle', action: 'expire', organizationId, ledgerId, transactionId });
  }

  revert(organizationId: string, ledgerId: string, transactionId: string, idempotency?: IdempotencyRequest): Promise<PostingOutcome> {
    return this.engine.submit({ kind: 'revert', organizationId, ledgerId, transactionId, idempotency });
  }

  async get(organizationId: string, ledgerId: string, id: string): Promise<TransactionDto> {
    const tx = await this.transactions.findById(organizationId, ledgerId, id);
    if (!tx) throw AppError.notFound('Transaction');
    return toTransactionDto(tx);
  }

  async list(organizationId: string, ledgerId: string, q: ListQuery): Promise<CursorPage<TransactionDto>> {
    await this.scopes.assertLedger(organizationId, ledgerId);
    const window = new CursorWindow(q);
    const rows = await this.transactions.list(organizationId, ledgerId, q.metadata, window);
    return window.page(rows, toTransactionDto);
  }

  async annotate(organizationId: string, ledgerId: string, id: string, dto: UpdateAnnotationsDto): Promise<TransactionDto> {
    if (!(await this.transactions.updateAnnotations(organizationId, ledgerId, id, dto))) throw AppError.notFound('Transaction');
    return this.get(organizationId, ledgerId, id);
  }

  async listOperations(organizationId: string, ledgerId: string, accountId: string, q: ListQuery): Promise<CursorPage<OperationDto>> {
    await this.scopes.assertAccount(organizationId, ledgerId, { id: accountId });
    const window = new CursorWindow(q);
    const rows = await this.transactions.listOperationsForAccount(organizationId, ledgerId, accountId, window);
    return window.page(rows, toOperationDto);
  }

  async getOperation(organizationId: string, ledgerId: string, by: { accountId?: string; transactionId?: string }, id: string): Promise<OperationDto> {
    const op = await this.transactions.findOperation(organizationId, ledgerId, by, id);
    if (!op) throw AppError.notFound('Operation');
    return toOperationDto(op);
  }

  async annotateOperation(
    organizationId: string,
    ledgerId: string,
    transactionId: string,
    id: string,
    dto: UpdateAnnotationsDto,
  ): Promise<OperationDto> {
    if (!(await this.transactions.updateOperationAnnotations(organizationId, ledgerId, transactionId, id, dto))) {
      throw AppError.notFound('Operation');
    }
    return this.getOperation(organizationId, ledgerId, { transactionId }, id);
  }

  private header(dto: TransactionBody, pending: boolean): TransactionHeader {
    const expiresAt = dto.expiresAt ? validInstant(dto.expiresAt, 'expiresAt') : null;
    if (expiresAt && !pending) {
      throw new AppError('BAD_REQUEST', 'expiresAt is only allowed on pending transactions.', { fields: { expiresAt: 'requires pending: true' } });
    }
    // "In the future" is decided by the posting batch against the database's clock, not this host's.
    return {
      description: dto.description ?? null,
      code: dto.code ?? null,
      chartOfAccountsGroupName: dto.chartOfAccountsGroupName ?? null,
      metadata: dto.metadata ?? {},
      transactionDate: dto.transactionDate ? validInstant(dto.transactionDate, 'transactionDate') : null,
      expiresAt,
    };
  }
}
