import { DORA_KEYS } from '../dora/types.js';
import {
  DAY_NAMES, DORA_KEY_TITLE, NO_REVIEW, STATUS_LABEL, VERDICT_LABEL, countChange, doraValue, doraWindow, headline, hours, localTime, minutes, pct,
  points, ratioPoints, reportTitle, coverage, endWords, partialNote, type EndWords, reviewHeadline, riskChange, score, weekSpan,
} from './format.js';
import { barChart, esc, meter } from './svg.js';
import type { DoraWeek, OperationsReport, OutcomeReport, ReviewPlanDue, ReviewWeek, Verdict, WeeklyReport } from './types.js';

/**
 * The report as one self-contained HTML file: inline CSS, inline SVG charts, no scripts and
 * no external references, so it renders in mail clients, from the archive, and in Chromium
 * for the PDF. Markup is well-formed (every element closed, attributes quoted) so strict
 * parsers accept it too. Clients that drop SVG (some webmail) still get every number: the
 * charts repeat what the tables say.
 */

const VERDICT_COLOR: Record<Verdict, string> = { met: '#188038', at_risk: '#b06000', missed: '#c5221f', no_data: '#80868b' };

const CSS = `
body{margin:0;padding:0;background:#f4f5f7;color:#202124;font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:14px;line-height:1.45}
.page{max-width:860px;margin:0 auto;padding:24px;background:#ffffff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:2px solid #e8eaed}
h3{font-size:15px;margin:16px 0 4px}
.sub{color:#5f6368;margin:0 0 12px}
.headline{font-size:16px;font-weight:600;margin:12px 0}
.banner{background:#fef7e0;border-left:4px solid #f9ab00;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-size:12px;color:#5f6368;font-weight:600;border-bottom:1px solid #dadce0;padding:4px 6px}
td{padding:5px 6px;border-bottom:1px solid #f1f3f4;vertical-align:middle}
td.num,th.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#ffffff;font-size:12px;font-weight:600;white-space:nowrap}
.muted{color:#5f6368}
.outcome{break-inside:avoid;page-break-inside:avoid;margin:10px 0 16px}
ul{margin:4px 0;padding-left:20px}
.footer{margin-top:28px;color:#80868b;font-size:12px}
@media print{body{background:#ffffff}.page{padding:0;max-width:none}}
`.trim();

export function renderHtml(r: WeeklyReport, opts: { link?: string } = {}): string {
  const tz = r.timezone;
  const body: string[] = [];
  body.push(`<h1>${esc(reportTitle(r))}</h1>`);
  body.push(`<p class="sub">${esc(weekSpan(r))} · ${esc(tz)} · ${esc(coverage(r))} · generated ${esc(localTime(r.generatedAt, tz))}${r.workload.owner ? ` · owner ${esc(r.workload.owner)}` : ''}</p>`);
  const partial = partialNote(r);
  if (partial) body.push(`<p class="banner partial" data-partial="true">${esc(partial)}</p>`);
  body.push(`<p class="headline">${esc(headline(r))}.</p>`);
  if (!r.dataQuality.hasData) body.push(...r.dataQuality.notes.map((n) => `<p class="banner">${esc(n)}</p>`));
  if (opts.link) body.push(`<p class="muted">Archive: <a href="${esc(opts.link)}">${esc(opts.link)}</a></p>`);

  body.push('<h2>Outcomes</h2>');
  if (r.outcomes.length === 0) body.push('<p class="muted">No business outcomes are declared in the workload file.</p>');
  else body.push(outcomeTable(r), ...r.outcomes.map((o) => outcomeDetail(o, endWords(r))));

  body.push('<h2>Pillars</h2>', pillarTable(r));
  body.push('<h2>Operations</h2>', operations(r.operations, tz, endWords(r)));
  body.push('<h2>Well-Architected review</h2>', review(r.review ?? null, tz, endWords(r)));
  body.push('<h2>Highlights</h2>', highlights(r));
  body.push('<h2>Data quality</h2>', dataQuality(r));
  body.push(`<p class="footer">Pillarboard weekly report · schema ${r.schemaVersion} · ${esc(r.week)} (${esc(r.from)} – ${esc(r.to)})</p>`);

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${esc(reportTitle(r))}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<div class="page">',
    ...body,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function badge(v: Verdict): string {
  return `<span class="badge" style="background:${VERDICT_COLOR[v]}">${esc(VERDICT_LABEL[v])}</span>`;
}

function outcomeTable(r: WeeklyReport): string {
  const rows = r.outcomes.map((o) => {
    const a = o.attainment;
    const chart = barChart(o.byDay, {
      max: 1,
      labels: DAY_NAMES,
      format: (v) => pct(v),
      title: `${o.title}: attainment by day`,
      color: VERDICT_COLOR[o.verdict],
      width: 154,
      height: 40,
    });
    return (
      `<tr><td><strong>${esc(o.title)}</strong>${o.owner ? `<br/><span class="muted">${esc(o.owner)}</span>` : ''}</td>` +
      `<td>${badge(o.verdict)}</td>` +
      `<td class="num">${esc(pct(a.mean))}<br/>${meter(a.mean, a.previousMean, { color: VERDICT_COLOR[o.verdict], title: `mean ${pct(a.mean)}; last week ${pct(a.previousMean)}`, width: 90 })}</td>` +
      `<td class="num">${esc(ratioPoints(a.change))}</td>` +
      `<td class="num">${esc(pct(a.end))}${o.coverageAtEnd ? `<br/><span class="muted">${o.coverageAtEnd.measured} of ${o.coverageAtEnd.total} measured</span>` : ''}</td>` +
      `<td>${chart}</td></tr>`
    );
  });
  return (
    `<table><thead><tr><th>Outcome</th><th>Week</th><th class="num">Attainment</th><th class="num">vs last week</th><th class="num">${endWords(r).heading}</th><th>By day</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function outcomeDetail(o: OutcomeReport, end: EndWords): string {
  const parts = [`<div class="outcome"><h3>${esc(o.title)} ${badge(o.verdict)}</h3>`];
  const judged = o.hoursInStatus.ok + o.hoursInStatus.warning + o.hoursInStatus.critical;
  const time =
    judged > 0
      ? `ok ${pct(o.okShare)} of the measured week` +
        (o.hoursInStatus.warning ? `, ${hours(o.hoursInStatus.warning)} warning` : '') +
        (o.hoursInStatus.critical ? `, ${hours(o.hoursInStatus.critical)} critical` : '')
      : 'not measured this week';
  parts.push(`<p class="muted">${esc(time)}${o.statusAtEnd ? ` · status ${end.at}: ${esc(STATUS_LABEL[o.statusAtEnd])}` : ''}</p>`);
  const rows = o.indicators.map(
    (i) =>
      `<tr><td>${esc(i.title)}${i.key ? ' <span class="muted">(key)</span>' : ''}</td><td class="num">${i.weight}</td>` +
      `<td class="num">${esc(score(i.meanScore))}</td><td class="num">${esc(score(i.previousMeanScore))}</td>` +
      `<td class="num">${i.points === null ? 'n/a' : i.points > 0 ? `−${i.points.toFixed(1)}` : '0.0'}</td>` +
      `<td class="num">${esc(points(i.pointsChange === null ? null : -i.pointsChange))}</td></tr>`,
  );
  parts.push(
    '<table><thead><tr><th>Indicator</th><th class="num">Weight</th><th class="num">Mean score</th><th class="num">Last week</th><th class="num">Points lost</th><th class="num">Change</th></tr></thead>' +
      `<tbody>${rows.join('')}</tbody></table>`,
  );
  if (o.sloBudgets.length) {
    parts.push('<ul>');
    for (const b of o.sloBudgets) {
      const text =
        b.consumed === null
          ? `${b.title}: error budget not known this week`
          : b.consumed >= 0
            ? `${b.title}: used ${pct(b.consumed)} of its error budget (${pct(b.start)} → ${pct(b.end)} left)`
            : `${b.title}: error budget recovered ${pct(-b.consumed)} (${pct(b.start)} → ${pct(b.end)} left)`;
      parts.push(`<li>${esc(text)}</li>`);
    }
    parts.push('</ul>');
  }
  parts.push('</div>');
  return parts.join('');
}

function pillarTable(r: WeeklyReport): string {
  const rows = r.pillars.map((p) => {
    const name = `${esc(p.title)}${p.description ? `<br/><span class="muted">${esc(p.description)}</span>` : ''}`;
    if (!p.measured) return `<tr><td>${name}</td><td class="num muted" colspan="4">not measured: declare an indicator with <code>pillar: ${esc(p.id)}</code></td><td></td></tr>`;
    const chart = barChart(p.byDay, { max: 100, labels: DAY_NAMES, format: (v) => v.toFixed(1), title: `${p.title}: score by day`, width: 180, height: 44 });
    const c = p.coverageAtEnd;
    const cov = c === undefined ? '' : `<br/><span class="muted">${c.measured} of ${c.total} measured</span>`;
    return (
      `<tr><td>${name}</td><td class="num">${esc(score(p.mean))}</td><td class="num">${esc(points(p.change))}</td>` +
      `<td class="num">${esc(score(p.previousMean))}</td><td class="num">${esc(score(p.end))}${cov}</td><td>${chart}</td></tr>`
    );
  });
  return (
    `<table><thead><tr><th>Pillar</th><th class="num">Mean</th><th class="num">Change</th><th class="num">Last week</th><th class="num">${endWords(r).heading}</th><th>By day</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function doraTable(dora: DoraWeek, tz: string): string {
  const rows = DORA_KEYS.map((k) => {
    const key = dora.keys[k];
    return `<tr><td>${esc(DORA_KEY_TITLE[k])}</td><td class="num">${esc(doraValue(key))}</td><td>${key.tier ? esc(key.tier) : '<span class="muted">n/a</span>'}</td></tr>`;
  });
  const deployments = dora.deployments !== null ? `, ${dora.deployments} successful production deployment${dora.deployments === 1 ? '' : 's'}` : '';
  return (
    `<h3>DORA four keys</h3><p class="muted">${esc(doraWindow(dora, tz))}${deployments} (as /api/dora?window=7d then)</p>` +
    '<table><thead><tr><th>Key</th><th class="num">Value</th><th>Tier</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function operations(ops: OperationsReport, tz: string, end: EndWords): string {
  const items: string[] = ops.notes.map((n) => `<li class="muted">${esc(n)}</li>`);
  const dora = ops.dora ?? null;
  const d = ops.deployments;
  if (d) {
    // With the DORA series the failure rate shown is theirs (the table), so the report agrees with the dashboard.
    const caused = d.causedIncidents ? `${d.causedIncidents} caused an incident` : '';
    items.push(
      `<li>Deployments: <strong>${d.total}</strong>${d.total ? ` (${d.succeeded} succeeded, ${d.failed} failed, ${d.rollbacks} rollback${d.rollbacks === 1 ? '' : 's'})` : ''}` +
        (dora
          ? caused ? `; ${caused}` : ''
          : `; change failure rate <strong>${esc(pct(d.changeFailureRate))}</strong>${caused ? ` (${caused})` : ''}`) +
        '</li>',
    );
  }
  if (ops.changes) items.push(`<li>Changes: <strong>${ops.changes.total}</strong></li>`);
  if (ops.gamedays) {
    const list = ops.gamedays.map((g) => `${esc(g.title)} (${esc(localTime(g.startedAt, tz))}${g.findings !== null ? `, ${g.findings} findings` : ''})`);
    items.push(`<li>Game days: <strong>${ops.gamedays.length}</strong>${list.length ? ` — ${list.join('; ')}` : ''}</li>`);
  }
  if (ops.reviews) items.push(`<li>Reviews: <strong>${ops.reviews.total}</strong> (${ops.reviews.completed} completed)</li>`);
  if (ops.actionItems) {
    items.push(`<li>Action items: ${ops.actionItems.opened} opened, ${ops.actionItems.closed} closed, <strong>${ops.actionItems.openAtWeekEnd}</strong> open ${end.at}</li>`);
  }
  let html = items.length ? `<ul>${items.join('')}</ul>` : '';
  if (ops.incidents) {
    if (ops.incidents.length === 0) html += '<p>No incidents this week.</p>';
    else {
      const rows = ops.incidents.map(
        (i) =>
          `<tr><td>${esc(i.title)}</td><td>${esc([i.service, i.severity].filter(Boolean).join(', '))}</td><td>${esc(localTime(i.startedAt, tz))}</td>` +
          `<td class="num">${esc(minutes(i.durationMinutes))}${i.ongoing ? ' <span class="muted">(open)</span>' : ''}</td><td>${esc(i.review)}</td></tr>`,
      );
      html +=
        '<table><thead><tr><th>Incident</th><th>Service</th><th>Started</th><th class="num">Duration</th><th>Review</th></tr></thead>' +
        `<tbody>${rows.join('')}</tbody></table>`;
    }
  }
  if (dora) html = doraTable(dora, tz) + html;
  return html || '<p class="muted">Nothing recorded.</p>';
}

function review(r: ReviewWeek | null, tz: string, end: EndWords): string {
  if (!r) return `<p class="muted">${esc(NO_REVIEW)}</p>`;
  const edge = (m: ReviewWeek['start']) => (m ? `${esc(m.name)}, taken ${esc(localTime(m.takenAt, tz))}` : 'no snapshot');
  const parts = [`<p class="muted">Week start: ${edge(r.start)} · ${end.edge}: ${edge(r.end)}</p>`];
  if (r.start || r.end) parts.push(`<p>${esc(reviewHeadline(r))}.</p>`);
  if (r.pillars.length) {
    const rows = r.pillars.map((p) => {
      const changes = [
        ...(p.gained ?? []).map((c) => `gained: ${esc(c.title)} <span class="muted">(${esc(riskChange(c))})</span>`),
        ...(p.removed ?? []).map((c) => `removed: ${esc(c.title)} <span class="muted">(${esc(riskChange(c))})</span>`),
        ...(p.changed ?? []).map((c) => `changed level: ${esc(c.title)} <span class="muted">(${esc(riskChange(c))})</span>`),
      ];
      return (
        `<tr><td>${esc(p.lensName)}</td><td>${esc(p.pillarName)}</td><td class="num">${esc(countChange(p.start?.high, p.end?.high))}</td>` +
        `<td class="num">${esc(countChange(p.start?.medium, p.end?.medium))}</td><td>${changes.join('<br/>')}</td></tr>`
      );
    });
    parts.push(
      '<table><thead><tr><th>Lens</th><th>Pillar</th><th class="num">High risks</th><th class="num">Medium risks</th><th>Changes during the week</th></tr></thead>' +
        `<tbody>${rows.join('')}</tbody></table>`,
    );
  }
  if (r.drift && r.drift.length > 0) {
    const items = r.drift.map(
      (q) => `<li>${esc(q.title)} <span class="muted">(${esc(q.pillarName)}${q.atStart === false ? ', new this week' : q.atStart ? ', since before the week' : ''})</span></li>`,
    );
    parts.push(`<h3>Drift ${end.at}</h3><p class="muted">A person's answer the evidence contradicts.</p><ul>${items.join('')}</ul>`);
  } else if (r.drift) {
    parts.push(`<p>No answer drifted from its evidence ${end.at}.</p>`);
  }
  const item = (label: string, i: ReviewPlanDue) =>
    `<li><strong>${label}</strong>: ${esc(i.title)} <span class="muted">(${esc(i.pillarName)}; ${i.risk} risk; due ${esc(i.due)}; ${i.owner ? `owner ${esc(i.owner)}; ` : ''}${esc(i.status.replace('_', ' '))})</span></li>`;
  const plan = [...r.plan.overdue.map((i) => item('Overdue', i)), ...r.plan.dueThisWeek.map((i) => item('Due this week', i))];
  parts.push(plan.length ? `<h3>Improvement plan</h3><ul>${plan.join('')}</ul>` : '<p>No improvement-plan item was due this week or overdue.</p>');
  if (r.notes.length) parts.push(`<ul>${r.notes.map((n) => `<li class="muted">${esc(n)}</li>`).join('')}</ul>`);
  return parts.join('');
}

function highlights(r: WeeklyReport): string {
  const { regressions, improvements } = r.highlights;
  if (!regressions.length && !improvements.length) return '<p class="muted">Nothing moved by a point or more.</p>';
  const row = (h: WeeklyReport['highlights']['regressions'][number]) =>
    `<tr><td>${esc(h.title)} <span class="muted">(${h.kind})</span></td><td class="num">${h.previous.toFixed(1)}</td><td class="num">${h.current.toFixed(1)}</td>` +
    `<td class="num" style="color:${h.change < 0 ? '#c5221f' : '#188038'}">${esc(points(h.change))}</td></tr>`;
  const table = (title: string, list: typeof regressions) =>
    list.length
      ? `<h3>${title}</h3><table><thead><tr><th></th><th class="num">Last week</th><th class="num">This week</th><th class="num">Change</th></tr></thead><tbody>${list.map(row).join('')}</tbody></table>`
      : '';
  return table('Biggest regressions', regressions) + table('Biggest improvements', improvements);
}

function dataQuality(r: WeeklyReport): string {
  const dq = r.dataQuality;
  const items = [`<li>Hours with evaluation data: <strong>${dq.hoursWithData}</strong> of ${dq.hoursWithData + dq.hoursWithoutData}</li>`];
  for (const g of dq.gaps.slice(0, 10)) items.push(`<li class="muted">No data ${esc(localTime(g.from, r.timezone))} – ${esc(localTime(g.to, r.timezone))} (${g.hours} h)</li>`);
  if (dq.gaps.length > 10) items.push(`<li class="muted">… and ${dq.gaps.length - 10} more gaps</li>`);
  if (dq.staleCollectors.length === 0) items.push('<li>No collector was stale.</li>');
  for (const c of dq.staleCollectors) {
    items.push(
      c.noRuns
        ? `<li>Collector <strong>${esc(c.id)}</strong> (${esc(c.type)}) did not run this week.</li>`
        : `<li>Collector <strong>${esc(c.id)}</strong> (${esc(c.type)}) was stale for ${esc(hours(c.staleHours))}: ${c.failures} of ${c.runs} runs failed, ${c.longestFailureStreak} in a row` +
            `${c.lastError ? `; last error: ${esc(c.lastError)}` : ''}</li>`,
    );
  }
  if (dq.hasData) for (const n of dq.notes) items.push(`<li class="muted">${esc(n)}</li>`);
  return `<ul>${items.join('')}</ul>`;
}
