import { Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Public } from '../../common/auth/auth.decorators';
import { ApiErrors, ErrorDto } from '../../common/http/api-errors.decorator';
import { IdParam } from '../../common/http/route-params';
import { Page } from '../../common/pagination/list-query';
import {
  BooksStatusDto,
  ReportDto,
  ReportPageDto,
  ReportScopeQueryDto,
  ReportSummaryDto,
  RunAcceptedDto,
  RunQueryDto,
} from './dto/reconciliation.dto';
import { ApiReportListQuery, ReportListQuery, ReportListQueryPipe } from './dto/report-list-query';
import { ReconciliationService } from './reconciliation.service';
import { ReportScope } from './reconciliation.types';

class BooksCriticalDto extends BooksStatusDto {
  @ApiProperty({ example: '1102' }) code: string;
  @ApiProperty({ example: 'Books Not Reconciled' }) title: string;
  @ApiProperty({ example: 'The latest reconciliation run (0190f5c2-...) found a broken money invariant.' }) message: string;
}

const scopeOf = (q: ReportScopeQueryDto): ReportScope => ({
  organizationId: q.organization_id?.toLowerCase(),
  ledgerId: q.ledger_id?.toLowerCase(),
});

@ApiTags('Reconciliation')
@ApiErrors(400)
@Controller('v1/reconciliation')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Post('runs')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({
    summary: 'Start a reconciliation run now',
    description:
      'Runs in the background; the answer carries the run id (= report id). Incremental unless full=true (or the periodic full pass is due). ' +
      'Refused with 429 while a run is in progress on any instance (code 1100) or within RECONCILIATION_COOLDOWN_MS of the previous run (code 1101, with retryAfterSeconds).',
  })
  @ApiAcceptedResponse({ type: RunAcceptedDto })
  @ApiResponse({ status: 429, description: 'A run is in progress (1100) or the cool-down has not passed (1101)', type: ErrorDto })
  startRun(@Query() q: RunQueryDto): Promise<RunAcceptedDto> {
    return this.reconciliation.requestRun(q.full === 'true');
  }

  @Get('status')
  @Public()
  @ApiOperation({
    summary: 'Status of the books (for load-balancer style probes)',
    description: 'The status of the latest finished run, and the run in progress if any. 503 while that status is CRITICAL. No key needed.',
  })
  @ApiOkResponse({ type: BooksStatusDto, description: 'HEALTHY, WARNING, or UNKNOWN before the first run' })
  @ApiResponse({ status: 503, description: 'The latest finished run is CRITICAL (error code 1102, with the status fields)', type: BooksCriticalDto })
  status(): Promise<BooksStatusDto> {
    return this.reconciliation.status();
  }

  @Get('reports')
  @ApiOperation({
    summary: 'List reconciliation reports (page-based, newest first)',
    description: 'With organization_id and/or ledger_id, each report\'s status and issue count are those of that scope.',
  })
  @ApiReportListQuery()
  @ApiOkResponse({ type: ReportPageDto })
  list(@Query(ReportListQueryPipe) q: ReportListQuery): Promise<Page<ReportSummaryDto>> {
    return this.reconciliation.list(q);
  }

  @Get('reports/latest')
  @ApiOperation({ summary: 'The latest finished report (optionally restricted to an organization or ledger)' })
  @ApiOkResponse({ type: ReportDto })
  @ApiErrors(404)
  latest(@Query() q: ReportScopeQueryDto): Promise<ReportDto> {
    return this.reconciliation.latest(scopeOf(q));
  }

  @Get('reports/:report_id')
  @ApiOperation({ summary: 'A report: status, per-check results with samples, per-ledger breakdown and delta from the previous run' })
  @ApiOkResponse({ type: ReportDto })
  @ApiErrors(404)
  get(@IdParam('report_id') id: string, @Query() q: ReportScopeQueryDto): Promise<ReportDto> {
    return this.reconciliation.get(id, scopeOf(q));
  }

  @Get('reports/:report_id/html')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  @ApiOperation({ summary: 'A report as a human-readable HTML page' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'HTML page', schema: { type: 'string' } })
  @ApiErrors(404)
  html(@IdParam('report_id') id: string, @Query() q: ReportScopeQueryDto): Promise<string> {
    return this.reconciliation.html(id, scopeOf(q));
  }
}
