import type { CheckSummaryDto, ReportDto } from '../dto/reconciliation.dto';

/** A report as one self-contained HTML page an on-call engineer can read at a glance. Pure. */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const COLORS: Record<string, string> = {
  HEALTHY: '#1a7f37', OK: '#1a7f37', WARNING: '#9a6700', CRITICAL: '#cf222e', SKIPPED: '#6e7781', ERROR: '#8250df',
  RUNNING: '#0969da', FAILED: '#8250df', ABANDONED: '#6e7781', UNKNOWN: '#6e7781',
};

const badge = (s: string | null) => `<span class="badge" style="background:${COLORS[s ?? 'UNKNOWN'] ?? '#6e7781'}">${escapeHtml(s ?? '—')}</span>`;

const MEANING: Record<string, string> = {
  HEALTHY: 'Every check passed: the books balance.',
  WARNING: 'Issues that move no money (cache drift, stale holds, empty orphans, or a check that could not run). Investigate during working hours.',
  CRITICAL: 'A money invariant is broken. Investigate now: the samples below name the balances, transactions and operations involved.',
};

function pretty(v: unknown): string {
  if (v === undefined || v === null) return '';
  return escapeHtml(typeof v === 'string' ? v : JSON.stringify(v, null, 1));
}

function detailsOf(sample: Record<string, unknown>): string {
  const rest = Object.entries(sample).filter(([k]) => !['entity', 'id', 'ledgerId', 'expected', 'actual'].includes(k));
  return rest.map(([k, v]) => `<b>${escapeHtml(k)}</b>: ${pretty(v)}`).join('<br>');
}

function samplesTable(c: CheckSummaryDto): string {
  if (c.samples.length === 0) return '';
  const rows = c.samples
    .map((s) => `<tr><td>${escapeHtml(s.entity)}</td><td class="mono">${escapeHtml(s.id)}</td><td class="mono">${escapeHtml(s.ledgerId)}</td>
      <td><pre>${pretty(s.expected)}</pre></td><td><pre>${pretty(s.actual)}</pre></td><td>${detailsOf(s)}</td></tr>`)
    .join('');
  return `<h3 id="check-${escapeHtml(c.name)}">${badge(c.status)} ${escapeHtml(c.name)}: ${c.issues} issue(s)</h3>
    <p class="muted">${escapeHtml(c.title)} — raises ${escapeHtml(c.raises)}. Showing ${c.samples.length} sample(s).</p>
    <table><tr><th>Entity</th><th>Id</th><th>Ledger</th><th>Expected</th><th>Actual</th><th>Details</th></tr>${rows}</table>`;
}

function fmtInfo(info: Record<string, number>): string {
  return Object.entries(info).map(([k, v]) => `${escapeHtml(k)}: ${v}`).join(', ');
}

export function renderReportHtml(r: ReportDto): string {
  const title = r.status ?? r.state;
  const deltaOf = new Map((r.delta?.checks ?? []).map((d) => [d.name, d.change]));
  const checkRows = r.checks
    .map((c) => {
      const change = deltaOf.get(c.name);
      const changeText = change === undefined || change === null ? '' : change > 0 ? `+${change}` : String(change);
      const name = c.issues > 0 ? `<a href="#check-${escapeHtml(c.name)}">${escapeHtml(c.name)}</a>` : escapeHtml(c.name);
      return `<tr><td>${badge(c.status)}</td><td>${name}<div class="muted">${escapeHtml(c.title)}</div></td><td class="num">${c.issues}</td>
        <td class="num">${escapeHtml(changeText)}</td><td class="num">${c.scanned}</td><td class="num">${c.durationMs} ms</td>
        <td>${fmtInfo(c.info)}${c.note ? `<div class="muted">${escapeHtml(c.note)}</div>` : ''}${
          c.lastProven ? `<div class="muted">last proven: ${escapeHtml(c.lastProven)}</div>` : ''
        }</td></tr>`;
    })
    .join('');
  const ledgerRows = r.ledgers
    .map((l) => `<tr><td>${badge(l.status)}</td><td>${escapeHtml(l.ledgerName ?? '')}<div class="mono muted">${escapeHtml(l.ledgerId)}</div></td>
      <td class="mono">${escapeHtml(l.organizationId)}</td><td class="num">${l.issues}</td>
      <td>${Object.entries(l.checks).map(([k, v]) => `${escapeHtml(k)}: ${v}`).join(', ')}</td><td>${fmtInfo(l.info)}</td></tr>`)
    .join('');
  const scope = r.scope ? `organization ${r.scope.organizationId ?? 'any'}, ledger ${r.scope.ledgerId ?? 'any'}` : 'whole service';
  const changed = r.statusChanged ? ` — changed from ${badge(r.previousStatus)}` : r.previousStatus ? ` — unchanged since the previous run` : '';
  const query = r.scope ? `?${[r.scope.organizationId && `organization_id=${r.scope.organizationId}`, r.scope.ledgerId && `ledger_id=${r.scope.ledgerId}`].filter(Boolean).join('&')}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — reconciliation ${escapeHtml(r.id)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1f2328;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d0d7de;padding-bottom:4px} h3{font-size:15px;margin:20px 0 4px}
.banner{padding:14px 18px;border-radius:8px;color:#fff;margin:12px 0;font-size:16px}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:6px 0} th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} .num{text-align:right;white-space:nowrap} .mono{font-family:ui-monospace,Menlo,monospace;font-size:12px}
.muted{color:#656d76;font-size:12px} pre{margin:0;font-size:12px;white-space:pre-wrap} dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px} dt{color:#656d76}
</style></head><body>
<h1>Reconciliation report</h1><div class="mono muted">${escapeHtml(r.id)}</div>
<div class="banner" style="background:${COLORS[title] ?? '#6e7781'}"><b>${escapeHtml(title)}</b>${r.issues !== null ? ` — ${r.issues} issue(s)` : ''}${changed}<br>
${escapeHtml(MEANING[r.status ?? ''] ?? (r.state === 'RUNNING' ? 'The run is in progress; reload in a moment.' : (r.error ?? '')))}</div>
<dl>
<dt>Scope</dt><dd>${escapeHtml(scope)}</dd>
<dt>Mode</dt><dd>${escapeHtml(r.mode)} (${escapeHtml(r.modeReason)})${r.since ? ` — changes since ${escapeHtml(r.since)}` : ''}</dd>
<dt>Trigger</dt><dd>${escapeHtml(r.trigger)}</dd>
<dt>Started</dt><dd>${escapeHtml(r.startedAt)}</dd>
<dt>Finished</dt><dd>${escapeHtml(r.finishedAt ?? '—')}${r.durationMs !== null ? ` (${r.durationMs} ms)` : ''}</dd>
<dt>Snapshot</dt><dd>${escapeHtml(r.snapshotAt ?? '—')}</dd>
<dt>Previous run</dt><dd>${r.previousRunId ? `<a href="/v1/reconciliation/reports/${escapeHtml(r.previousRunId)}/html${escapeHtml(query)}">${escapeHtml(r.previousRunId)}</a> ${badge(r.previousStatus)}` : '—'}</dd>
<dt>Issues vs previous</dt><dd>${r.delta ? `${r.delta.issues.previous ?? '—'} → ${r.delta.issues.current}` : '—'}</dd>
${r.error ? `<dt>Error</dt><dd>${escapeHtml(r.error)}</dd>` : ''}
</dl>
<h2>Checks</h2>
<table><tr><th>Result</th><th>Check</th><th>Issues</th><th>Δ</th><th>Verified rows</th><th>Time</th><th>Information</th></tr>${checkRows}</table>
${r.checks.some((c) => c.samples.length > 0) ? `<h2>Samples</h2>${r.checks.map(samplesTable).join('')}` : ''}
<h2>Ledgers with findings (${r.ledgersWithIssues} with issues)</h2>
${r.ledgers.length ? `<table><tr><th>Status</th><th>Ledger</th><th>Organization</th><th>Issues</th><th>Per check</th><th>Information</th></tr>${ledgerRows}</table>` : '<p>None.</p>'}
<p class="muted"><a href="/v1/reconciliation/reports/${escapeHtml(r.id)}${escapeHtml(query)}">JSON</a> · <a href="/v1/reconciliation/reports">all reports</a></p>
</body></html>`;
}
