import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildWeeklyReport } from '../server/reports/build.js';
import { readReportInput, storeReportSources } from '../server/reports/read.js';
import { renderChatSummary, renderMarkdown } from '../server/reports/render-markdown.js';
import { renderHtml } from '../server/reports/render-html.js';
import { ChromiumMissingError, chromiumPdfRenderer } from '../server/reports/render-pdf.js';
import { parseWeek, previousWeek, weekRange } from '../server/reports/week.js';
import { testStore } from './support/evaluation.js';
import { requireBinary } from './support/real-binaries.js';
import { eventReader, htmlProblems, REPORT_AT, seedAll, seedDora, seededContext, seededReview, TZ } from './support/reports-fixtures.js';
import { tempDir } from './support/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const PDFTOTEXT = '/usr/bin/pdftotext';
const PDFINFO = '/usr/bin/pdfinfo';

function report(seed = true, opts: { review?: boolean; dora?: boolean } = {}) {
  const { store } = testStore({ now: () => REPORT_AT });
  if (seed) seedAll(store);
  if (opts.dora) seedDora(store);
  const review = opts.review ? seededReview(store) : null;
  const week = weekRange(parseWeek('2026-W47'), TZ);
  const sources = storeReportSources(store, () => eventReader(), () => review);
  return buildWeeklyReport(readReportInput(sources, seededContext(), week, weekRange(previousWeek(week), TZ), REPORT_AT));
}

test('Markdown reads as plain text: headline, each outcome with verdict and what pulled it down, operations and data quality', () => {
  const md = renderMarkdown(report(), { link: 'https://pb.example/api/reports/2026-W47.html' });
  assert.match(md, /^# Web shop — weekly report 2026-W47$/m);
  assert.match(md, /^16 – 22 November 2026 \(Europe\/Berlin, 168 h\)/m);
  assert.match(md, /^\*\*0 of 2 outcomes met, 1 missed, 1 without data\.\*\*$/m);
  assert.match(md, /^### Customers can buy — missed$/m);
  assert.match(md, /^Attainment: mean 80\.2% \(−14\.8 pts vs 95\.0%\), at week end 75\.0%$/m);
  assert.match(md, /^- Checkout availability \(key, weight 3\): −15\.0 pts, mean score 80\.0 \(last week −0\.0\)$/m);
  assert.match(md, /^SLO Checkout availability: used 30\.0% of its error budget this week \(90\.0% → 60\.0% left\)$/m);
  assert.match(md, /^- Deployments: 4 \(3 succeeded, 1 failed, 1 rollback\); change failure rate 25\.0% \(1 caused an incident\)$/m);
  assert.match(md, /Checkout errors \(shop, sev2\): started Wed 18 Nov 03:00, restored after 1 h 30 min; review: completed/);
  assert.match(md, /Collector app \(scrape\) was stale for 2 h: 4 of 168 runs failed, 4 in a row; last error: connection refused/);
  assert.match(md, /Full report: https:\/\/pb\.example\/api\/reports\/2026-W47\.html/);
  // Pillars: what each covers, and what a score or a gap spoke for at week end.
  assert.match(md, /^- Reliability: 80\.0 \(−20\.0 pts vs 100\.0\), at week end 80\.0$/m);
  assert.match(md, /^  _Doing the intended job correctly, and recovering fast from failure\._$/m);
  assert.match(md, /^- Cost optimization: no data this week \(last week 50\.0\) \(0 of 1 indicators measured at week end\)$/m);
  assert.match(md, /^- Security: not measured — declare an indicator with `pillar: security` to measure it$/m);
  assert.match(md, /^Attainment: no data this week \(0 of 1 indicators measured at week end\)$/m);
  assert.doesNotMatch(md, /\|/, 'no tables: chat clients show them as pipes');
});

test('the chat summary is short and carries the headline, one line per outcome and the link', () => {
  const text = renderChatSummary(report(), { link: 'https://pb.example/r' });
  const lines = text.split('\n');
  assert.ok(lines.length <= 12, text);
  assert.equal(lines[1], '0 of 2 outcomes met, 1 missed, 1 without data.');
  assert.ok(lines.includes('• Customers can buy: missed — 80.2% (−14.8 pts)'), text);
  assert.equal(lines.at(-1), 'https://pb.example/r');
});

test('HTML is one well-formed, self-contained file: no scripts, no external references, inline SVG charts', () => {
  const html = renderHtml(report());
  assert.deepEqual(htmlProblems(html), []);
  assert.doesNotMatch(html, /<script|<link|@import|url\(/i);
  assert.ok((html.match(/<svg /g) ?? []).length >= 2 + 3, 'a chart per outcome and per measured pillar');
  assert.match(html, /<title>Web shop — weekly report 2026-W47<\/title>/);
  assert.match(html, /Customers can buy/);
  assert.match(html, /Reliability<br\/><span class="muted">Doing the intended job correctly, and recovering fast from failure\.<\/span>/);
  assert.match(html, /80\.0<br\/><span class="muted">1 of 1 measured<\/span>/);
  assert.match(html, /not measured: declare an indicator with <code>pillar: security<\/code>/);
});

test('HTML escapes names from the workload file', () => {
  const r = report(false);
  r.outcomes[0]!.title = '<img src=x onerror=alert(1)> & "co"';
  const html = renderHtml(r);
  assert.deepEqual(htmlProblems(html), []);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt; &amp; &quot;co&quot;/);
});

test('a report without data says so in every rendering rather than printing zeros', () => {
  const r = report(false);
  assert.match(renderMarkdown(r), /\*\*No data for this week\.\*\*/);
  assert.match(renderMarkdown(r), /No evaluation sample was stored between/);
  assert.match(renderHtml(r), /class="banner">No evaluation sample was stored/);
  assert.doesNotMatch(renderMarkdown(r), /0\.0%/);
});

test('PDF without Chromium fails with how to install it or which path to set', async () => {
  const renderer = chromiumPdfRenderer({ executablePath: '/nonexistent/chromium' });
  await assert.rejects(renderer.render('<p>x</p>', 'A4'), (err: Error) => {
    assert.ok(err instanceof ChromiumMissingError);
    assert.match(err.message, /apt-get install chromium/);
    assert.match(err.message, /PILLARBOARD_CHROMIUM/);
    assert.match(err.message, /JSON, Markdown and HTML reports work without it/);
    return true;
  });
});

describe('PDF printed by Chromium', { skip: requireBinary(CHROMIUM) || requireBinary(PDFTOTEXT) }, () => {
  test('the PDF is produced and its text contains the outcome names; Letter paper is Letter', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const renderer = chromiumPdfRenderer({ executablePath: CHROMIUM });
    const html = renderHtml(report(true, { review: true, dora: true }));
    const a4 = await renderer.render(html, 'A4');
    assert.equal(a4.subarray(0, 5).toString(), '%PDF-');
    const file = path.join(dir, 'r.pdf');
    fs.writeFileSync(file, a4);
    const text = execFileSync(PDFTOTEXT, ['-layout', file, '-'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(text, /Customers can buy/);
    assert.match(text, /We stay within budget/);
    assert.match(text, /Web shop — weekly report 2026-W47/);
    // The review section and the DORA keys print too.
    assert.match(text, /Well-Architected review/);
    assert.match(text, /How do you deploy\?/);
    assert.match(text, /Change failure rate\s+25\.0%\s+low/);
    if (fs.existsSync(PDFINFO)) {
      assert.match(execFileSync(PDFINFO, [file], { encoding: 'utf8' }), /Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/);
      const letter = path.join(dir, 'l.pdf');
      fs.writeFileSync(letter, await renderer.render(html, 'Letter'));
      assert.match(execFileSync(PDFINFO, [letter], { encoding: 'utf8' }), /Page size:\s+61\d(\.\d+)? x 79\d(\.\d+)? pts \(letter\)/);
    }
  });
});
