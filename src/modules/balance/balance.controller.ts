import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/auth/auth.decorators';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { IdParam, LEDGER_PATH, LedgerId, OrgId } from '../../common/http/route-params';
import { ListQuery } from '../../common/pagination/list-query';
import { ApiListQuery, ListQueryPipe } from '../../common/pagination/list-query.pipe';
import { CursorPage } from '../../common/pagination/list-query';
import { toBalanceDto } from './balance.mapper';
import { BalanceService } from './balance.service';
import { ApiBalanceHistoryQuery, BalanceHistoryQuery, BalanceHistoryQueryPipe } from './dto/balance-history.query';
import { BalanceDto, BalanceHistoryItemDto, BalanceHistoryPageDto, BalancePageDto, UpdateBalanceDto } from './dto/balance.dto';

@ApiTags('Balances')
@ApiErrors(400, 404)
@Controller(LEDGER_PATH)
export class BalanceController {
  constructor(private readonly balances: BalanceService) {}

  @Get('balances')
  @ApiOperation({ summary: 'List the balances of a ledger' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  list(@OrgId() org: string, @LedgerId() ledger: string, @Query(ListQueryPipe) q: ListQuery): Promise<CursorPage<BalanceDto>> {
    return this.balances.list(org, ledger, q);
  }

  @Get('balances/:balance_id')
  @ApiOperation({
    summary: 'Get a balance, now or as it stood at an instant',
    description:
      'Without `at`: the current balance. With `at`: available, onHold and version as they stood at that instant, ' +
      'read from the operation chain (never the cache). Operations carry their transaction\'s time to the millisecond, and ' +
      'two transactions may take their times in one order and reach a balance in the other, so the balance at T is the ' +
      'state after the longest run of its operations, from version 1, all timestamped at or before T (the version just ' +
      'below the first operation timestamped after T); when timestamps rise with versions that is the last operation at or ' +
      'before T. A balance that existed but had no operation yet is version 0 with zero amounts. A balance created after ' +
      '`at`, or deleted at or before it, is a 404; a deleted balance is still found at the instants it was alive (with ' +
      '`deletedAt` null). allowSending and allowReceiving are the current flags; updatedAt is the time of the operation ' +
      'the balance stood at (its creation at version 0).',
  })
  @ApiQuery({
    name: 'at',
    required: false,
    type: String,
    example: '2026-12-01T12:00:00Z',
    description: 'RFC 3339 instant (years 0001 to 9999, at most millisecond precision); a bad one is a 400 with code 0077',
  })
  @ApiOkResponse({ type: BalanceDto })
  async get(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('balance_id') id: string,
    @Query('at') at?: string,
  ): Promise<BalanceDto> {
    return toBalanceDto(await this.balances.get(org, ledger, id, at));
  }

  @Get('balances/:balance_id/history')
  @ApiOperation({
    summary: 'List the states of a balance after each of its operations, by version ascending',
    description:
      'Each item is the balance after one operation (its id, transaction, type and amount; available, onHold and version ' +
      'after it; its time), in version order, ascending, cursor-paged. `from` and `to` keep the operations between the ' +
      'states at those instants, with the same meaning as `GET .../balances/{balance_id}?at=`: the states after `from` ' +
      'began and up to the state at `to`. Each end is optional. Deleted balances keep their history. An unknown balance ' +
      'is a 404, a bad instant a 400 (0077), `from` after `to` a 400 (0083).',
  })
  @ApiBalanceHistoryQuery()
  @ApiOkResponse({ type: BalanceHistoryPageDto })
  history(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('balance_id') id: string,
    @Query(BalanceHistoryQueryPipe) q: BalanceHistoryQuery,
  ): Promise<CursorPage<BalanceHistoryItemDto>> {
    return this.balances.history(org, ledger, id, q);
  }

  @Patch('balances/:balance_id')
  @ApiOperation({ summary: 'Allow or block sending and receiving on a balance' })
  @ApiOkResponse({ type: BalanceDto })
  @ApiErrors(422)
  async update(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('balance_id') id: string,
    @Body() dto: UpdateBalanceDto,
  ): Promise<BalanceDto> {
    return toBalanceDto(await this.balances.update(org, ledger, id, dto));
  }

  @Delete('balances/:balance_id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a balance (only when available and on-hold are zero)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(422)
  remove(@OrgId() org: string, @LedgerId() ledger: string, @IdParam('balance_id') id: string): Promise<void> {
    return this.balances.remove(org, ledger, id);
  }

  @Get('accounts/:account_id/balances')
  @ApiOperation({ summary: 'List the balances of an account' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  listForAccount(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @IdParam('account_id') accountId: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<BalanceDto>> {
    return this.balances.listForAccount(org, ledger, accountId, q);
  }

  @Get('accounts/alias/:alias/balances')
  @ApiOperation({ summary: 'List the balances of an account by alias' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  listForAlias(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Param('alias') alias: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<BalanceDto>> {
    return this.balances.listForAlias(org, ledger, alias, q);
  }

  @Get('accounts/external/:code/balances')
  @ApiOperation({ summary: 'List the balances of the external account of an asset' })
  @ApiListQuery('cursor')
  @ApiOkResponse({ type: BalancePageDto })
  listForExternal(
    @OrgId() org: string,
    @LedgerId() ledger: string,
    @Param('code') code: string,
    @Query(ListQueryPipe) q: ListQuery,
  ): Promise<CursorPage<BalanceDto>> {
    return this.balances.listForExternal(org, ledger, code, q);
  }
}
