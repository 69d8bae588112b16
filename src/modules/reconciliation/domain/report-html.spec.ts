import { ReportDto } from '../dto/reconciliation.dto';
import { escapeHtml, renderReportHtml } from './report-html';

const report = (over: Partial<ReportDto> = {}): ReportDto => ({
  id: 'run-1',
  state: 'FINISHED',
  status: 'CRITICAL',
  trigger: 'api',
  mode: 'full',
  modeReason: 'requested',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  durationMs: 1000,
  issues: 1,
  previousStatus: 'HEALTHY',
  statusChanged: true,
  links: { self: '/x', html: '/x/html' },
  since: null,
  snapshotAt: '2025-01-01T00:00:00.000Z',
  checkpointTo: null,
  previousRunId: 'run-0',
  scope: null,
  checks: [
    {
      name: 'balance-fold',
      title: 'Each balance equals the fold',
      raises: 'CRITICAL',
      status: 'CRITICAL',
      durationMs: 5,
      scanned: 10,
      issues: 1,
      info: {},
      samples: [{ entity: 'balance', id: 'bal-1', ledgerId: 'led-1', alias: '<script>alert(1)</script>', expected: { available: '10' }, actual: { available: '15' } }],
    },
    { name: 'cache-drift', title: 'Cache', raises: 'WARNING', status: 'OK', durationMs: 1, scanned: 10, issues: 0, info: { missing: 2 }, samples: [] },
  ],
  ledgers: [{ organizationId: 'org-1', ledgerId: 'led-1', ledgerName: 'Main & Co', status: 'CRITICAL', issues: 1, checks: { 'balance-fold': 1 }, info: {} }],
  ledgersWithIssues: 1,
  delta: null,
  error: null,
  ...over,
});

describe('renderReportHtml', () => {
  it('shows the status, what it means, each check and the samples of failing ones', () => {
    const html = renderReportHtml(report());
    expect(html).toContain('<b>CRITICAL</b> — 1 issue(s)');
    expect(html).toContain('A money invariant is broken');
    expect(html).toContain('id="check-balance-fold"');
    expect(html).toContain('bal-1');
    expect(html).toContain('missing: 2');
    expect(html).toContain('Main &amp; Co');
  });

  it('escapes everything that comes from data', () => {
    const html = renderReportHtml(report());
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });

  it('says a run in progress is in progress', () => {
    expect(renderReportHtml(report({ state: 'RUNNING', status: null, issues: null, checks: [], ledgers: [] }))).toContain('in progress');
  });
});
