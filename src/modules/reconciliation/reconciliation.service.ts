import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { Page } from '../../common/pagination/list-query';
import { AppConfig } from '../../config/app-config';
import { renderReportHtml } from './domain/report-html';
import { BooksStatusDto, ReportDto, ReportSummaryDto, RunAcceptedDto } from './dto/reconciliation.dto';
import { ReportListQuery } from './dto/report-list-query';
import { toReportDto, toRunAcceptedDto, toStatusDto, toSummaryDto } from './reconciliation.mapper';
import { ReconciliationReportRepository } from './reconciliation-report.repository';
import { ReconciliationRunner } from './reconciliation.runner';
import { ReportScope, RunRecord } from './reconciliation.types';

/** The reconciliation use cases behind the HTTP API. */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly runner: ReconciliationRunner,
    private readonly repo: ReconciliationReportRepository,
    private readonly config: AppConfig,
  ) {}

  /** Starts a run in the background and answers at once (429 while one runs or within the cool-down). */
  async requestRun(full: boolean): Promise<RunAcceptedDto> {
    const started = await this.runner.start({ trigger: 'api', mode: full ? 'full' : undefined, enforceCooldown: true });
    started.done.catch(() => undefined); // logged and stored as FAILED by the runner
    return toRunAcceptedDto(started);
  }

  /** The latest finished run's status; BOOKS_CRITICAL (503, same body) while it is CRITICAL. */
  async status(): Promise<BooksStatusDto> {
    const [latest, running] = await Promise.all([this.repo.latestFinished(), this.repo.running()]);
    const dto = toStatusDto(latest, running);
    if (dto.status === 'CRITICAL') {
      throw new AppError('BOOKS_CRITICAL', `The latest reconciliation run (${latest?.id}) found a broken money invariant.`, {
        details: { ...dto },
      });
    }
    return dto;
  }

  async list(q: ReportListQuery): Promise<Page<ReportSummaryDto>> {
    const scoped = q.scope.organizationId !== undefined || q.scope.ledgerId !== undefined;
    const rows = await this.repo.listRuns(q.list, q.scope);
    return { items: rows.map((r) => (scoped ? toSummaryDto(r.run, r) : toSummaryDto(r.run))), page: q.list.page, limit: q.list.limit };
  }

  async latest(scope: ReportScope): Promise<ReportDto> {
    const run = await this.repo.latestFinished();
    if (!run) throw AppError.notFound('Reconciliation report', 'No reconciliation run has finished yet.');
    return this.report(run, scope);
  }

  async get(id: string, scope: ReportScope): Promise<ReportDto> {
    const run = await this.repo.findRun(id);
    if (!run) throw AppError.notFound('Reconciliation report');
    return this.report(run, scope);
  }

  async html(id: string, scope: ReportScope): Promise<string> {
    return renderReportHtml(await this.get(id, scope));
  }

  private async report(run: RunRecord, scope: ReportScope): Promise<ReportDto> {
    const scoped = scope.organizationId !== undefined || scope.ledgerId !== undefined;
    const findings = await this.repo.findings(run.id, scope);
    let previous: { run: RunRecord; findings: Awaited<ReturnType<ReconciliationReportRepository['findings']>> } | null = null;
    if (scoped && run.state === 'FINISHED') {
      const prevRun = await this.repo.finishedBefore(run);
      if (prevRun) previous = { run: prevRun, findings: await this.repo.findings(prevRun.id, scope) };
    }
    const names = await this.repo.ledgerNames([...new Set(findings.map((f) => f.ledgerId))]);
    return toReportDto({ run, findings, ledgerNames: names, scope, sampleLimit: this.config.get('RECONCILIATION_SAMPLE_LIMIT'), previous });
  }
}
