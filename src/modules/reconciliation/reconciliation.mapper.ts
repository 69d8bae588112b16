import { isoOrNull } from '../../common/time/instant';
import { booksStatusOf, checkStatusOf, computeDelta, countFindings, pickSamples, worst } from './domain/run-policy';
import { BooksStatusDto, LedgerBreakdownDto, ReportDto, ReportSummaryDto, RunAcceptedDto } from './dto/reconciliation.dto';
import { RunListRow } from './reconciliation-report.repository';
import { StartedRun } from './reconciliation.runner';
import { BooksStatus, CheckSummary, FindingRecord, ReportScope, RunRecord } from './reconciliation.types';

/** Ledgers listed in a report's breakdown (the count of all is `ledgersWithIssues`). */
const MAX_LEDGERS = 200;

const links = (id: string) => ({ self: `/v1/reconciliation/reports/${id}`, html: `/v1/reconciliation/reports/${id}/html` });
const isScoped = (s: ReportScope) => s.organizationId !== undefined || s.ledgerId !== undefined;

export function toRunAcceptedDto(run: StartedRun): RunAcceptedDto {
  return {
    id: run.id,
    state: 'RUNNING',
    trigger: run.trigger,
    mode: run.mode,
    modeReason: run.modeReason,
    since: isoOrNull(run.since),
    startedAt: run.startedAt.toISOString(),
    links: links(run.id),
  };
}

export function toSummaryDto(run: RunRecord, scoped?: Pick<RunListRow, 'scopedStatus' | 'scopedIssues' | 'scopedPreviousStatus'>): ReportSummaryDto {
  const status = scoped ? scoped.scopedStatus : run.status;
  const previousStatus = scoped ? scoped.scopedPreviousStatus : run.previousStatus;
  return {
    id: run.id,
    state: run.state,
    status,
    trigger: run.trigger,
    mode: run.mode,
    startedAt: run.startedAt.toISOString(),
    finishedAt: isoOrNull(run.finishedAt),
    durationMs: run.durationMs,
    issues: scoped ? scoped.scopedIssues : run.issueCount,
    previousStatus,
    statusChanged: status === null ? null : scoped ? previousStatus !== null && previousStatus !== status : run.statusChanged,
    links: links(run.id),
  };
}

export function toStatusDto(latest: RunRecord | null, running: RunRecord | null): BooksStatusDto {
  return {
    status: latest?.status ?? 'UNKNOWN',
    lastRun: latest ? toSummaryDto(latest) : null,
    running: running ? { id: running.id, trigger: running.trigger, mode: running.mode, startedAt: running.startedAt.toISOString() } : null,
  };
}

/** A check's line restricted to the findings of a scope (timing and rows scanned stay service-wide). */
function scopeCheck(check: CheckSummary, findings: FindingRecord[], sampleLimit: number): CheckSummary {
  const mine = findings.filter((f) => f.checkName === check.name);
  const { issues, info } = countFindings(mine);
  const status = check.status === 'SKIPPED' || check.status === 'ERROR' ? check.status : checkStatusOf(mine);
  // lastProven is the status of the whole books, not of this scope: left out of scoped views.
  const { lastProven: _whole, ...rest } = check;
  return { ...rest, status, issues, info: info > 0 ? { missing: info } : {}, samples: pickSamples(mine, sampleLimit) };
}

function breakdown(findings: FindingRecord[], names: Map<string, string>): { ledgers: LedgerBreakdownDto[]; withIssues: number } {
  const byLedger = new Map<string, LedgerBreakdownDto>();
  for (const f of findings) {
    let l = byLedger.get(f.ledgerId);
    if (!l) {
      l = { organizationId: f.organizationId, ledgerId: f.ledgerId, ledgerName: names.get(f.ledgerId) ?? null, status: 'HEALTHY', issues: 0, checks: {}, info: {} };
      byLedger.set(f.ledgerId, l);
    }
    if (f.severity === 'INFO') {
      l.info[f.checkName] = (l.info[f.checkName] ?? 0) + f.count;
    } else {
      l.issues += f.count;
      l.checks[f.checkName] = (l.checks[f.checkName] ?? 0) + f.count;
      l.status = worst(l.status as BooksStatus, f.severity);
    }
  }
  const rank = (s: string) => (s === 'CRITICAL' ? 0 : s === 'WARNING' ? 1 : 2);
  const all = [...byLedger.values()].sort((a, b) => rank(a.status) - rank(b.status) || b.issues - a.issues);
  return { ledgers: all.slice(0, MAX_LEDGERS), withIssues: all.filter((l) => l.issues > 0).length };
}

export interface ReportInput {
  run: RunRecord;
  findings: FindingRecord[];
  ledgerNames: Map<string, string>;
  scope: ReportScope;
  sampleLimit: number;
  /** Scoped reports: the previous finished run and its findings in the same scope, for the delta. */
  previous?: { run: RunRecord; findings: FindingRecord[] } | null;
}

/** The full report; restricted to an organization or ledger when the scope says so. */
export function toReportDto(input: ReportInput): ReportDto {
  const { run, findings, scope, sampleLimit } = input;
  const scoped = isScoped(scope);
  const finished = run.state === 'FINISHED';
  const checks = scoped ? run.checks.map((c) => scopeCheck(c, findings, sampleLimit)) : run.checks;
  const status = finished ? (scoped ? booksStatusOf(checks) : run.status) : null;
  let delta = run.delta;
  let previousStatus = run.previousStatus;
  if (scoped && status) {
    const prev = input.previous;
    const prevChecks = prev ? prev.run.checks.map((c) => scopeCheck(c, prev.findings, sampleLimit)) : [];
    const prevStatus = prev ? booksStatusOf(prevChecks) : null;
    delta = computeDelta(prev && prevStatus ? { id: prev.run.id, status: prevStatus, checks: prevChecks } : null, status, checks);
    previousStatus = prevStatus;
  }
  const { ledgers, withIssues } = breakdown(findings, input.ledgerNames);
  const issues = finished ? checks.reduce((s, c) => s + c.issues, 0) : null;
  return {
    ...toSummaryDto(run),
    status,
    issues,
    previousStatus,
    statusChanged: status === null ? null : (delta?.status.changed ?? false),
    modeReason: run.modeReason,
    since: isoOrNull(run.since),
    snapshotAt: isoOrNull(run.snapshotAt),
    checkpointTo: isoOrNull(run.checkpointTo),
    previousRunId: run.previousRunId,
    scope: scoped ? { organizationId: scope.organizationId ?? null, ledgerId: scope.ledgerId ?? null } : null,
    checks,
    ledgers,
    ledgersWithIssues: withIssues,
    delta: finished ? delta : null,
    error: run.error,
  };
}
