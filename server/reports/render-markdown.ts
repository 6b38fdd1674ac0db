import { DORA_KEYS } from '../dora/types.js';
import {
  DAY_NAMES, DORA_KEY_TITLE, NO_REVIEW, coverage, endWords, partialNote, type EndWords, STATUS_LABEL, VERDICT_LABEL, countChange, doraValue, doraWindow, headline, hours, localTime, minutes, pct,
  points, ratioPoints, reportTitle, reviewHeadline, riskChange, score, weekSpan,
} from './format.js';
import type { Highlight, OperationsReport, OutcomeReport, ReviewPlanDue, ReviewWeek, WeeklyReport } from './types.js';

/**
 * Markdown that reads as plain text too (chat, a terminal, a mail's text part): headings,
 * bullet lists and short lines — no tables, which chat clients show as pipes.
 */
export function renderMarkdown(r: WeeklyReport, opts: { link?: string } = {}): string {
  const out: string[] = [];
  out.push(`# ${reportTitle(r)}`, '');
  out.push(`${weekSpan(r)} (${r.timezone}, ${coverage(r)}) · generated ${localTime(r.generatedAt, r.timezone)}`);
  if (r.workload.owner) out.push(`Owner: ${r.workload.owner}`);
  if (opts.link) out.push(`Full report: ${opts.link}`);
  const partial = partialNote(r);
  if (partial) out.push('', `> **${partial}**`);
  const end = endWords(r);
  out.push('', `**${headline(r)}.**`, '');
  if (!r.dataQuality.hasData) {
    for (const n of r.dataQuality.notes) out.push(`> ${n}`);
    out.push('');
  }

  out.push('## Outcomes', '');
  if (r.outcomes.length === 0) out.push('No business outcomes are declared in the workload file.', '');
  for (const o of r.outcomes) out.push(...outcome(o, end), '');

  out.push('## Pillars', '');
  for (const p of r.pillars) {
    const about = p.description ? `  _${p.description}_` : null;
    if (!p.measured) {
      out.push(`- ${p.title}: not measured — declare an indicator with \`pillar: ${p.id}\` to measure it`);
      if (about) out.push(about);
      continue;
    }
    if (p.mean === null) {
      out.push(`- ${p.title}: no data this week${p.previousMean !== null ? ` (last week ${score(p.previousMean)})` : ''}${coverageText(p.coverageAtEnd, true, end)}`);
      if (about) out.push(about);
      continue;
    }
    const days = p.byDay.map((v, i) => `${DAY_NAMES[i]} ${score(v)}`).join(' · ');
    out.push(`- ${p.title}: ${score(p.mean)} (${points(p.change)} vs ${score(p.previousMean)}), ${end.at} ${score(p.end)}${coverageText(p.coverageAtEnd, false, end)}`);
    if (about) out.push(about);
    out.push(`  ${days}`);
  }
  out.push('');

  out.push('## Operations', '', ...operations(r.operations, r.timezone, end), '');

  out.push('## Well-Architected review', '', ...review(r.review ?? null, r.timezone, end), '');

  out.push('## Highlights', '');
  const hl = (h: Highlight) => `- ${h.title} (${h.kind}): ${points(h.change)} (${h.previous.toFixed(1)} → ${h.current.toFixed(1)})`;
  if (r.highlights.regressions.length === 0 && r.highlights.improvements.length === 0) out.push('Nothing moved by a point or more.');
  if (r.highlights.regressions.length) out.push('Biggest regressions:', ...r.highlights.regressions.map(hl));
  if (r.highlights.improvements.length) out.push('Biggest improvements:', ...r.highlights.improvements.map(hl));
  out.push('');

  out.push('## Data quality', '');
  const dq = r.dataQuality;
  out.push(`- Hours with evaluation data: ${dq.hoursWithData} of ${dq.hoursWithData + dq.hoursWithoutData}`);
  for (const g of dq.gaps.slice(0, 10)) out.push(`  - no data ${localTime(g.from, r.timezone)} – ${localTime(g.to, r.timezone)} (${g.hours} h)`);
  if (dq.gaps.length > 10) out.push(`  - … and ${dq.gaps.length - 10} more gaps`);
  if (dq.staleCollectors.length === 0) out.push('- No collector was stale.');
  for (const c of dq.staleCollectors) {
    out.push(
      c.noRuns
        ? `- Collector ${c.id} (${c.type}) did not run this week.`
        : `- Collector ${c.id} (${c.type}) was stale for ${hours(c.staleHours)}: ${c.failures} of ${c.runs} runs failed, ${c.longestFailureStreak} in a row${c.lastError ? `; last error: ${c.lastError}` : ''}`,
    );
  }
  if (dq.hasData) for (const n of dq.notes) out.push(`- ${n}`);
  out.push('');
  return out.join('\n');
}

function outcome(o: OutcomeReport, end: EndWords): string[] {
  const out = [`### ${o.title} — ${VERDICT_LABEL[o.verdict]}`];
  const who = o.owner ? `Owner: ${o.owner} · ` : '';
  const judged = o.hoursInStatus.ok + o.hoursInStatus.warning + o.hoursInStatus.critical;
  const time =
    judged > 0
      ? `ok ${pct(o.okShare)} of the measured week` +
        (o.hoursInStatus.warning ? `, ${hours(o.hoursInStatus.warning)} warning` : '') +
        (o.hoursInStatus.critical ? `, ${hours(o.hoursInStatus.critical)} critical` : '')
      : 'not measured this week';
  out.push(`${who}${time}${o.statusAtEnd ? ` · status ${end.at}: ${STATUS_LABEL[o.statusAtEnd]}` : ''}`);
  const a = o.attainment;
  out.push(
    a.mean === null
      ? `Attainment: no data this week${coverageText(o.coverageAtEnd, true, end)}`
      : `Attainment: mean ${pct(a.mean)} (${ratioPoints(a.change)} vs ${pct(a.previousMean)}), ${end.at} ${pct(a.end)}${coverageText(o.coverageAtEnd, false, end)}`,
  );
  const pulled = o.indicators.filter((i) => i.points !== null && i.points > 0);
  if (pulled.length) {
    out.push('Pulled down by:');
    for (const i of pulled) {
      const tags = [i.key ? 'key' : '', `weight ${i.weight}`].filter(Boolean).join(', ');
      const was = i.previousPoints !== null ? ` (last week −${i.previousPoints.toFixed(1)})` : '';
      out.push(`- ${i.title} (${tags}): −${i.points!.toFixed(1)} pts, mean score ${score(i.meanScore)}${was}`);
    }
  }
  const unmeasured = o.indicators.filter((i) => i.meanScore === null);
  if (unmeasured.length) out.push(`No data: ${unmeasured.map((i) => i.title).join(', ')}`);
  for (const b of o.sloBudgets) {
    out.push(
      b.consumed === null
        ? `SLO ${b.title}: budget not known this week`
        : b.consumed >= 0
          ? `SLO ${b.title}: used ${pct(b.consumed)} of its error budget this week (${pct(b.start)} → ${pct(b.end)} left)`
          : `SLO ${b.title}: budget recovered ${pct(-b.consumed)} this week (${pct(b.start)} → ${pct(b.end)} left)`,
    );
  }
  return out;
}

function operations(ops: OperationsReport, tz: string, end: EndWords): string[] {
  const out: string[] = [];
  for (const n of ops.notes) out.push(`- ${n}`);
  const dora = ops.dora ?? null;
  if (dora) {
    out.push(`- DORA four keys, ${doraWindow(dora, tz)}${dora.deployments !== null ? `, ${dora.deployments} successful production deployment${dora.deployments === 1 ? '' : 's'}` : ''}:`);
    for (const k of DORA_KEYS) {
      const key = dora.keys[k];
      out.push(`  - ${DORA_KEY_TITLE[k]}: ${doraValue(key)}${key.tier ? ` (${key.tier})` : ''}`);
    }
  }
  if (!ops.available) return out;
  const d = ops.deployments;
  if (d) {
    // With the DORA series the failure rate shown is theirs (above), so the report agrees with the dashboard.
    out.push(
      `- Deployments: ${d.total}` +
        (d.total ? ` (${d.succeeded} succeeded, ${d.failed} failed, ${d.rollbacks} rollback${d.rollbacks === 1 ? '' : 's'})` : '') +
        (dora
          ? d.causedIncidents ? `; ${d.causedIncidents} caused an incident` : ''
          : `; change failure rate ${pct(d.changeFailureRate)}` + (d.causedIncidents ? ` (${d.causedIncidents} caused an incident)` : '')),
    );
  }
  if (ops.changes) out.push(`- Changes: ${ops.changes.total}`);
  if (ops.incidents) {
    out.push(`- Incidents: ${ops.incidents.length}`);
    for (const i of ops.incidents) {
      const what = [i.service, i.severity].filter(Boolean).join(', ');
      out.push(
        `  - ${i.title}${what ? ` (${what})` : ''}: started ${localTime(i.startedAt, tz)}, ` +
          `${i.ongoing ? `still open ${end.at} after ${minutes(i.durationMinutes)}` : `restored after ${minutes(i.durationMinutes)}`}; review: ${i.review}`,
      );
    }
  }
  if (ops.gamedays) {
    out.push(`- Game days: ${ops.gamedays.length}`);
    for (const g of ops.gamedays) out.push(`  - ${g.title} (${localTime(g.startedAt, tz)})${g.findings !== null ? `: ${g.findings} finding${g.findings === 1 ? '' : 's'}` : ''}`);
  }
  if (ops.reviews) out.push(`- Reviews: ${ops.reviews.total} (${ops.reviews.completed} completed)`);
  if (ops.actionItems) out.push(`- Action items: ${ops.actionItems.opened} opened, ${ops.actionItems.closed} closed, ${ops.actionItems.openAtWeekEnd} open ${end.at}`);
  return out;
}

function review(r: ReviewWeek | null, tz: string, end: EndWords): string[] {
  if (!r) return [NO_REVIEW];
  const out: string[] = [];
  const edge = (m: ReviewWeek['start']) => (m ? `${m.name}, taken ${localTime(m.takenAt, tz)}` : 'no snapshot');
  out.push(`Week start: ${edge(r.start)} · ${end.edge}: ${edge(r.end)}`);
  if (r.start || r.end) out.push(`${reviewHeadline(r)}.`);
  const shown = r.pillars.filter(
    (p) => (p.start?.high ?? 0) + (p.start?.medium ?? 0) + (p.end?.high ?? 0) + (p.end?.medium ?? 0) > 0 || (p.gained?.length ?? 0) + (p.removed?.length ?? 0) + (p.changed?.length ?? 0) > 0,
  );
  for (const p of shown) {
    out.push(`- ${p.lensName} · ${p.pillarName}: high ${countChange(p.start?.high, p.end?.high)}, medium ${countChange(p.start?.medium, p.end?.medium)}`);
    for (const c of p.gained ?? []) out.push(`  - gained: ${c.title} (${riskChange(c)})`);
    for (const c of p.removed ?? []) out.push(`  - removed: ${c.title} (${riskChange(c)})`);
    for (const c of p.changed ?? []) out.push(`  - changed level: ${c.title} (${riskChange(c)})`);
  }
  if ((r.start || r.end) && shown.length === 0) out.push('- No high or medium risk at either end of the week.');
  if (r.drift && r.drift.length > 0) {
    out.push(`Drift ${end.at} (a person's answer the evidence contradicts):`);
    for (const q of r.drift) out.push(`- ${q.title} (${q.pillarName})${q.atStart === false ? ', new this week' : q.atStart ? ', since before the week' : ''}`);
  } else if (r.drift) {
    out.push(`No answer drifted from its evidence ${end.at}.`);
  }
  const item = (i: ReviewPlanDue) => `${i.title} (${i.pillarName}; ${i.risk} risk; due ${i.due}; ${i.owner ? `owner ${i.owner}; ` : ''}${i.status.replace('_', ' ')})`;
  if (r.plan.overdue.length || r.plan.dueThisWeek.length) {
    out.push('Improvement plan:');
    for (const i of r.plan.overdue) out.push(`- Overdue: ${item(i)}`);
    for (const i of r.plan.dueThisWeek) out.push(`- Due this week: ${item(i)}`);
  } else {
    out.push('No improvement-plan item was due this week or overdue.');
  }
  for (const n of r.notes) out.push(`> ${n}`);
  return out;
}

/** The short chat message (Slack-compatible): headline, one line per outcome, the top moves, a link. */
export function renderChatSummary(r: WeeklyReport, opts: { link?: string } = {}): string {
  const out = [`${reportTitle(r)} (${weekSpan(r)})`, `${headline(r)}.`];
  for (const o of r.outcomes) {
    const a = o.attainment;
    out.push(`• ${o.title}: ${VERDICT_LABEL[o.verdict]}` + (a.mean !== null ? ` — ${pct(a.mean)} (${ratioPoints(a.change)})` : ''));
  }
  const worst = r.highlights.regressions.slice(0, 3);
  if (worst.length) out.push(`Regressions: ${worst.map((h) => `${h.title} ${points(h.change)}`).join('; ')}`);
  const best = r.highlights.improvements.slice(0, 3);
  if (best.length) out.push(`Improvements: ${best.map((h) => `${h.title} ${points(h.change)}`).join('; ')}`);
  const rv = r.review;
  if (rv?.compared && (rv.totals.gained || rv.totals.removed || rv.totals.changed)) {
    out.push(`Review risks: ${rv.totals.gained} gained, ${rv.totals.removed} removed, ${rv.totals.changed} changed level`);
  }
  const inc = r.operations.incidents;
  if (inc && inc.length) out.push(`Incidents: ${inc.length}${r.operations.deployments ? ` · deployments: ${r.operations.deployments.total}` : ''}`);
  for (const n of r.dataQuality.notes) out.push(`⚠ ${n}`);
  if (opts.link) out.push(opts.link);
  return out.join('\n');
}

/** " (3 of 4 indicators measured at week end)" ("… so far" for the week in progress), or "" when all were (or the report predates coverage). */
function coverageText(c: { measured: number; total: number } | undefined, always: boolean, end: EndWords): string {
  if (c === undefined || (!always && c.measured === c.total)) return '';
  return ` (${c.measured} of ${c.total} indicators measured ${end.at})`;
}
