import { applyDecorators, Body, Controller, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, ApiPostingUnavailable } from '../../common/http/api-errors.decorator';
import { LargeBody } from '../../common/http/large-body';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../common/http/route-params';
import { CursorPage, ListQuery } from '../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../common/pagination/list-query.pipe';
import { AppConfig } from '../../config/app-config';
import { TransactionBody, transactionBodySchema, TransactionKind } from './dto/transaction-body.schema';
import { UpdateAnnotationsDto } from './dto/update-annotations.dto';
import { BatchResponseDto, OperationDto, OperationPageDto, TransactionDto, TransactionPageDto } from './dto/transaction.dto';
import { TransactionBatchBody, transactionBatchDocSchema, transactionBatchSchema } from './dto/transaction-batch.schema';
import { BATCH_RESPONSE_SCHEMAS, POSTING_RESPONSE_SCHEMAS } from './dto/transaction-response.schema';
import { idempotencyFrom } from './idempotency/idempotency-request';
import { TransactionService } from './transaction.service';

const ApiIdempotency = () =>
  applyDecorators(
    ApiHeader({ name: 'X-Idempotency', required: false, description: '1-255 visible ASCII characters; the same key and body apply once' }),
    ApiHeader({ name: 'X-TTL', required: false, description: 'Seconds the key is remembered (1-2592000, default 86400)' }),
  );

/**
 * POST transactions/{kind}: the body is validated by Fastify (ajv, compiled once) against
 * the same schema Swagger documents; the 2xx answer is written by Fastify's compiled serializer.
 */
const PostingRoute = (kind: TransactionKind, summary: string) => {
  const schema = transactionBodySchema(kind);
  return applyDecorators(
    Post(kind),
    RouteSchema({ body: schema, response: POSTING_RESPONSE_SCHEMAS }),
    ApiBody({ schema: schema as SchemaObject }),
    ApiOperation({ summary }),
    ApiIdempotency(),
    ApiCreatedResponse({
      type: TransactionDto,
      description: 'Created; a replay of an idempotent request answers the stored response with X-Idempotency-Replayed: true',
    }),
    ApiErrors(409, 422),
    ApiPostingUnavailable(),
  );
};

function answer<B>(reply: FastifyReply, outcome: { status: number; body: B; replayed: boolean }): B {
  void reply.status(outcome.status);
  if (outcome.replayed) void reply.header('X-Idempotency-Replayed', 'true');
  return outcome.body;
}

@ApiTags('Transactions')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/transactions`)
export class TransactionController {
  private readonly defaultTtl: number;

  constructor(
    private readonly transactions: TransactionService,
    config: AppConfig,
  ) {
    this.defaultTtl = config.get('IDEMPOTENCY_DEFAULT_TTL_S');
  }

  private async post(kind: TransactionKind, org: string, ledger: string, dto: TransactionBody, req: FastifyRequest, reply: FastifyReply) {
    const idempotency = idempotencyFrom(req.headers, `transactions/${kind}`, req.body, this.defaultTtl);
    return answer(reply, await this.transactions.create(kind, org, ledger, dto, idempotency));
  }

  @PostingRoute('json', 'Create a transaction from sources to destinations (optionally pending)')
  createJson(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Body() dto: TransactionBody,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionDto> {
    return this.post('json', org, ledger, dto, req, reply);
  }

  @PostingRoute('inflow', 'Bring money in from @external/{asset} to destinations')
  createInflow(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Body() dto: TransactionBody,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionDto> {
    return this.post('inflow', org, ledger, dto, req, reply);
  }

  @PostingRoute('outflow', 'Send money out from sources to @external/{asset} (optionally pending)')
  createOutflow(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Body() dto: TransactionBody,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionDto> {
    return this.post('outflow', org, ledger, dto, req, reply);
  }

  @Post('batch')
  @LargeBody()
  @RouteSchema({ body: transactionBatchSchema, response: BATCH_RESPONSE_SCHEMAS })
  @ApiBody({ schema: transactionBatchDocSchema as SchemaObject })
  @ApiOperation({
    summary: 'Post up to TRANSACTION_BATCH_MAX_ITEMS transactions in one request',
    description:
      'Each item is the body of POST transactions/{type} and is checked like it; a malformed item makes the request a 400 whose `index` names it. ' +
      'All items run in one database transaction, in request order (items may touch the same accounts). ' +
      '`atomic`: all or nothing: 201 with every item, or 422 with the `index` and `code` of the first refused item and nothing applied. ' +
      '`independent`: 200 with each item\'s own status and transaction or error. Pending items are allowed. ' +
      'X-Idempotency on the request replays the whole response; an item\'s `idempotencyKey` acts as X-Idempotency of its single route.',
  })
  @ApiIdempotency()
  @ApiCreatedResponse({ type: BatchResponseDto, description: 'atomic: every item applied' })
  @ApiOkResponse({ type: BatchResponseDto, description: 'independent: each item with its own status' })
  @ApiErrors(409, 413, 422)
  @ApiPostingUnavailable()
  async createBatch(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Body() dto: TransactionBatchBody,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchResponseDto> {
    const idempotency = idempotencyFrom(req.headers, 'transactions/batch', req.body, this.defaultTtl);
    return answer(reply, await this.transactions.createBatch(org, ledger, dto, idempotency));
  }

  @Get()
  @ApiOperation({ summary: 'List transactions (cursor pagination, newest first)' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: TransactionPageDto })
  list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<CursorPage<TransactionDto>> {
    return this.transactions.list(org, ledger, q);
  }

  @Get(':transaction_id')
  @ApiOperation({ summary: 'Get a transaction with its operations' })
  @ApiOkResponse({ type: TransactionDto })
  get(@OrgId() org: string, @LedgerId() ledger: string, @IdParam('transaction_id') id: string): Promise<TransactionDto> {
    return this.transactions.get(org, ledger, id);
  }

  @Patch(':transaction_id')
  @ApiOperation({ summary: 'Update the description and metadata of a transaction' })
  @ApiOkResponse({ type: TransactionDto })
  annotate(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('transaction_id') id: string,
    @Body() dto: UpdateAnnotationsDto,
  ): Promise<TransactionDto> {
    return this.transactions.annotate(org, ledger, id, dto);
  }

  @Post(':transaction_id/commit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Commit a pending transaction (held funds move to the destinations)' })
  @ApiOkResponse({ type: TransactionDto })
  @ApiErrors(409, 422)
  @ApiPostingUnavailable()
  async commit(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('transaction_id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionDto> {
    return answer(reply, await this.transactions.commit(org, ledger, id));
  }

  @Post(':transaction_id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a pending transaction (held funds are released)' })
  @ApiOkResponse({ type: TransactionDto })
  @ApiErrors(409)
  @ApiPostingUnavailable()
  async cancel(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('transaction_id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionDto> {
    return answer(reply, await this.transactions.cancel(org, ledger, id));
  }

  @Post(':transaction_id/revert')
  @ApiOperation({ summary: 'Revert an approved transaction (a new transaction with the legs swapped)' })
  @ApiIdempotency()
  @ApiCreatedResponse({ type: TransactionDto })
  @ApiErrors(409, 422)
  @ApiPostingUnavailable()
  async revert(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('transaction_id') id: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionDto> {
    const idempotency = idempotencyFrom(req.headers, `transactions/${id}/revert`, {}, this.defaultTtl);
    return answer(reply, await this.transactions.revert(org, ledger, id, idempotency));
  }

  @Patch(':transaction_id/operations/:operation_id')
  @ApiOperation({ summary: 'Update the description and metadata of an operation' })
  @ApiOkResponse({ type: OperationDto })
  annotateOperation(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('transaction_id') transactionId: string,
    @IdParam('operation_id') id: string,
    @Body() dto: UpdateAnnotationsDto,
  ): Promise<OperationDto> {
    return this.transactions.annotateOperation(org, ledger, transactionId, id, dto);
  }
}

@ApiTags('Operations')
@ApiErrors(400, 404)
@Controller(`${LEDGER_PATH}/accounts/:account_id/operations`)
export class OperationController {
  constructor(private readonly transactions: TransactionService) {}

  @Get()
  @ApiOperation({ summary: 'List the operations of an account (cursor pagination)' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: OperationPageDto })
  list(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('account_id') accountId: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<OperationDto>> {
    return this.transactions.listOperations(org, ledger, accountId, q);
  }

  @Get(':operation_id')
  @ApiOperation({ summary: 'Get an operation of an account' })
  @ApiOkResponse({ type: OperationDto })
  get(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('account_id') accountId: string,
    @IdParam('operation_id') id: string,
  ): Promise<OperationDto> {
    return this.transactions.getOperation(org, ledger, { accountId }, id);
  }
}
