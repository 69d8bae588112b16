import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';

const STATUSES = ['HEALTHY', 'WARNING', 'CRITICAL'];
const STATES = ['RUNNING', 'FINISHED', 'FAILED', 'ABANDONED'];
const CHECK_STATUSES = ['OK', 'WARNING', 'CRITICAL', 'SKIPPED', 'ERROR'];
const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class RunQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: verify everything instead of what changed since the checkpoint' })
  @IsOptional()
  @IsIn(['true', 'false'])
  full?: 'true' | 'false';
}

export class ReportScopeQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Restrict the report to one organization' })
  @IsOptional()
  @IsUUID()
  organization_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Restrict the report to one ledger' })
  @IsOptional()
  @IsUUID()
  ledger_id?: string;
}

export class ReportLinksDto {
  @ApiProperty({ example: '/v1/reconciliation/reports/0190f5c2-1c4e-7b3a-9d6e-2f1a8b7c6d5e' }) self: string;
  @ApiProperty({ example: '/v1/reconciliation/reports/0190f5c2-1c4e-7b3a-9d6e-2f1a8b7c6d5e/html' }) html: string;
}

export class RunAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Run id, also the id of its report' }) id: string;
  @ApiProperty({ enum: ['RUNNING'] }) state: 'RUNNING';
  @ApiProperty({ enum: ['schedule', 'api', 'cli'] }) trigger: string;
  @ApiProperty({ enum: ['full', 'incremental'] }) mode: string;
  @ApiProperty({ example: 'requested' }) modeReason: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Incremental: changes at or after this time are verified' })
  since: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: ReportLinksDto }) links: ReportLinksDto;
}

export class CheckSummaryDto {
  @ApiProperty({ example: 'balance-fold' }) name: string;
  @ApiProperty({ example: 'Each balance equals the fold of its operations (available and onHold)' }) title: string;
  @ApiProperty({ example: 'CRITICAL', description: 'Severity rule of the check' }) raises: string;
  @ApiProperty({ enum: CHECK_STATUSES }) status: string;
  @ApiProperty({ example: 12 }) durationMs: number;
  @ApiProperty({ example: 1000, description: 'Rows verified' }) scanned: number;
  @ApiProperty({ example: 0, description: 'WARNING and CRITICAL findings' }) issues: number;
  @ApiProperty({ ...COUNTS, example: { missing: 3 }, description: 'Counts that never raise the status (e.g. missing cache entries)' })
  info: Record<string, number>;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ entity: 'balance', id: '0190f5c2-...', ledgerId: '0190f5c1-...', expected: { available: '100' }, actual: { available: '105' } }],
    description: 'Bounded examples: entity, id, ledgerId, expected, actual and details',
  })
  samples: Record<string, unknown>[];
  @ApiPropertyOptional({ description: 'Why the check was skipped or failed' }) note?: string;
  @ApiPropertyOptional({
    enum: CHECK_STATUSES,
    description: 'For a failed check (ERROR): the last status it proved in an earlier run; a carried CRITICAL keeps the books CRITICAL',
  })
  lastProven?: string;
}

class StatusDeltaDto {
  @ApiProperty({ enum: STATUSES, nullable: true, type: String }) previous: string | null;
  @ApiProperty({ enum: STATUSES }) current: string;
  @ApiProperty() changed: boolean;
}

class CountDeltaDto {
  @ApiProperty({ nullable: true, type: Number }) previous: number | null;
  @ApiProperty() current: number;
  @ApiProperty({ nullable: true, type: Number }) change: number | null;
}

class CheckDeltaDto extends CountDeltaDto {
  @ApiProperty({ example: 'conservation' }) name: string;
}

export class RunDeltaDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) previousRunId: string | null;
  @ApiProperty({ type: StatusDeltaDto }) status: StatusDeltaDto;
  @ApiProperty({ type: CountDeltaDto }) issues: CountDeltaDto;
  @ApiProperty({ type: [CheckDeltaDto] }) checks: CheckDeltaDto[];
}

export class LedgerBreakdownDto {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) ledgerId: string;
  @ApiProperty({ nullable: true, type: String }) ledgerName: string | null;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty() issues: number;
  @ApiProperty({ ...COUNTS, example: { conservation: 1 }, description: 'Issues per check' }) checks: Record<string, number>;
  @ApiProperty({ ...COUNTS, example: { 'cache-drift': 2 }, description: 'Information per check' }) info: Record<string, number>;
}

class ScopeDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) organizationId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) ledgerId: string | null;
}

export class ReportSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: STATES }) state: string;
  @ApiProperty({ enum: STATUSES, nullable: true, type: String, description: 'Set once FINISHED (for the requested scope)' }) status: string | null;
  @ApiProperty({ enum: ['schedule', 'api', 'cli'] }) trigger: string;
  @ApiProperty({ enum: ['full', 'incremental'] }) mode: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'WARNING and CRITICAL findings (in scope)' }) issues: number | null;
  @ApiProperty({ enum: STATUSES, nullable: true, type: String }) previousStatus: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) statusChanged: boolean | null;
  @ApiProperty({ type: ReportLinksDto }) links: ReportLinksDto;
}

export class ReportDto extends ReportSummaryDto {
  @ApiProperty({ example: 'every 12 runs' }) modeReason: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Incremental: changes at or after this time were verified' })
  since: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Database time of the snapshot every check read' })
  snapshotAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Checkpoint this run recorded for the next incremental run' })
  checkpointTo: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) previousRunId: string | null;
  @ApiProperty({ type: ScopeDto, nullable: true, description: 'Set when the report is restricted to an organization or ledger' })
  scope: ScopeDto | null;
  @ApiProperty({ type: [CheckSummaryDto] }) checks: CheckSummaryDto[];
  @ApiProperty({ type: [LedgerBreakdownDto], description: 'Ledgers with findings, worst first (at most 200)' }) ledgers: LedgerBreakdownDto[];
  @ApiProperty({ description: 'Ledgers with WARNING or CRITICAL findings' }) ledgersWithIssues: number;
  @ApiProperty({ type: RunDeltaDto, nullable: true }) delta: RunDeltaDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why a run FAILED or was ABANDONED' }) error: string | null;
}

export class ReportPageDto {
  @ApiProperty({ type: [ReportSummaryDto] }) items: ReportSummaryDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}

class RunningDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['schedule', 'api', 'cli'] }) trigger: string;
  @ApiProperty({ enum: ['full', 'incremental'] }) mode: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
}

export class BooksStatusDto {
  @ApiProperty({ enum: [...STATUSES, 'UNKNOWN'], description: 'Status of the latest finished run (UNKNOWN before the first)' }) status: string;
  @ApiProperty({ type: ReportSummaryDto, nullable: true }) lastRun: ReportSummaryDto | null;
  @ApiProperty({ type: RunningDto, nullable: true }) running: RunningDto | null;
}
