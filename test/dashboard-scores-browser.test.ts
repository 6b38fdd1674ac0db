import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { requireBinary } from './support/real-binaries.js';
import { CHROMIUM_BIN, launchChromium } from './support/browser.js';
import { startDashboardFixture, type DashboardFixture } from './support/dashboard-fixture.js';

/**
 * One meaning for each number, on the real wall screen (Chromium): no tile or card shows a
 * score beside a status that does not judge it (No data, Stale, Not measured), every score
 * has its coverage beside it, and a tile without a score says in words what would measure it
 * and links to the docs. The fixture gets one extra indicator without data on Operational
 * excellence, so that pillar is partly measured: the case that used to read "No data" above
 * a score.
 */

const ARTIFACTS = path.resolve(__dirname, 'artifacts');
const WAIT = { timeout: 15_000 };
/** The three sizes, each on the desk page; the two TV sizes also as the wall screen (kiosk). */
const CASES = [
  { viewport: { width: 1920, height: 1080 }, kiosk: false },
  { viewport: { width: 1920, height: 1080 }, kiosk: true },
  { viewport: { width: 3840, height: 2160 }, kiosk: false },
  { viewport: { width: 3840, height: 2160 }, kiosk: true },
  { viewport: { width: 390, height: 844 }, kiosk: false },
];

const GAMEDAY = `  - id: gameday
    title: "Days since the last game day"
    pillar: operational_excellence
    unit: days
    series: 'ops_days_since_last_gameday{scope="workload"}'
    objective: { max: 90, warning: 120, critical: 180 }
`;

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

interface TileSeen {
  id: string;
  status: string;
  /** Text of the score number when it is rendered with a size (visible), else null. */
  score: string | null;
  scoreBox: Box | null;
  coverage: string | null;
  coverageBox: Box | null;
  tileBox: Box;
  about: string | null;
  note: string | null;
  docs: string | null;
}

interface CardSeen {
  id: string;
  /** False for a card the wall screen left out for room (summarised below the cards). */
  visible: boolean;
  status: string;
  attainment: string | null;
  label: string;
}

interface SummaryPillar {
  id: string;
  status: string;
  score: number | null;
  description: string;
  coverage: { measured: number; total: number } | null;
}

/**
 * What a person sees on each tile and card: only elements that take up space count. Page code
 * as text: tsx would wrap named functions in a helper the page lacks.
 */
const READ_SCREEN = `(() => {
  function box(el) {
    if (!el) return null;
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') return null;
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  }
  function shown(el) { return box(el) ? (el.textContent || '').trim() : null; }
  var tiles = Array.from(document.querySelectorAll('.tile')).map(function (t) {
    var docs = t.parentElement.querySelector('.tile-docs');
    return {
      id: t.dataset.pillar,
      status: t.querySelector('.badge').dataset.status,
      score: shown(t.querySelector('.score-value')),
      scoreBox: box(t.querySelector('.score-value')),
      coverage: shown(t.querySelector('.score-coverage')),
      coverageBox: box(t.querySelector('.score-coverage')),
      tileBox: box(t),
      about: shown(t.querySelector('.tile-about')),
      note: shown(t.querySelector('.tile-note')),
      docs: docs && box(docs) ? docs.getAttribute('href') : null,
    };
  });
  var cards = Array.from(document.querySelectorAll('.card')).map(function (c) {
    var label = c.querySelector('.attain-label');
    return {
      id: c.dataset.outcome,
      visible: !!box(c),
      status: c.querySelector('.badge').dataset.status,
      attainment: shown(c.querySelector('.attain-value')),
      label: label ? (label.textContent || '').trim() : '',
    };
  });
  return { tiles: tiles, cards: cards };
})()`;

function readScreen(page: Page): Promise<{ tiles: TileSeen[]; cards: CardSeen[] }> {
  return page.evaluate(READ_SCREEN) as Promise<{ tiles: TileSeen[]; cards: CardSeen[] }>;
}

const JUDGING = new Set(['ok', 'warning', 'critical']);

describe('scores and statuses agree on the wall screen', { skip: requireBinary(CHROMIUM_BIN) }, () => {
  let fx: DashboardFixture;
  let browser: Browser;

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fx = await startDashboardFixture({ extraIndicators: GAMEDAY });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  for (const { viewport, kiosk } of CASES) {
    const size = `${viewport.width}×${viewport.height}${kiosk ? ' in kiosk mode' : ''}`;
    test(`no tile shows a score beside a status that does not judge it, and every score has its coverage beside it, at ${size}`, async () => {
      const summary = (await (await fetch(`${fx.url}/api/summary`)).json()) as { pillars: SummaryPillar[]; outcomes: Array<{ id: string; status: string; attainment: number | null; coverage: { measured: number; total: number } }> };
      const context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(fx.url + (kiosk ? '/?kiosk=1' : '/'));
        await page.waitForFunction('(window.pillarboard && window.pillarboard.updates || 0) >= 1', undefined, WAIT);
        const { tiles, cards } = await readScreen(page);
        assert.equal(tiles.length, 6);

        for (const t of tiles) {
          const api = summary.pillars.find((p) => p.id === t.id)!;
          assert.equal(t.status, api.status, `${t.id}: the tile shows the API's status`);
          if (!JUDGING.has(t.status)) {
            assert.equal(t.score, null, `${t.id}: ${t.status} with a number (${t.score}) beside it`);
            assert.ok(t.note && t.note.length > 20, `${t.id}: without a score, a sentence says why (${t.note})`);
            // A wall screen has no pointer: the link is for the desk page.
            assert.equal(t.docs, kiosk ? null : '/docs/scoring.md#coverage-what-a-score-speaks-for', `${t.id}: links to what would measure it`);
            continue;
          }
          assert.ok(t.score !== null && /^\d+(\.\d)?$/.test(t.score), `${t.id}: a judged status shows its score (${t.score})`);
          assert.equal(Number(t.score), api.score, `${t.id}: the number is the API's score`);
          assert.equal(t.coverage, `${api.coverage!.measured} of ${api.coverage!.total} measured`, `${t.id}: coverage beside the score`);
          const s = t.scoreBox!;
          const c = t.coverageBox!;
          assert.ok(c.top >= s.top - 1 && c.top <= s.bottom + 40, `${t.id}: coverage sits right by the score (score ${JSON.stringify(s)}, coverage ${JSON.stringify(c)})`);
          assert.ok(c.left >= t.tileBox.left && c.right <= t.tileBox.right + 0.5, `${t.id}: coverage inside its tile`);
          assert.equal(t.docs, null, `${t.id}: a scored tile has no "how to measure" link`);
          assert.equal(t.about, kiosk ? null : api.description, `${t.id}: the tile says what the pillar covers`);
        }

        // The partly measured pillar: judged by what is measured, with the gap in words.
        const ops = tiles.find((t) => t.id === 'operational_excellence')!;
        assert.equal(ops.status, 'ok');
        assert.equal(ops.coverage, '1 of 2 measured');
        if (!kiosk) assert.match(ops.note ?? '', /^Days since the last game day has no data: no game day recorded yet: post one with `pillarboard event add --kind gameday/);
        // Nothing measured: the reason names the indicator by its title, not its id or series.
        const cost = tiles.find((t) => t.id === 'cost_optimization')!;
        assert.match(cost.note ?? '', /^Cloud spend per day has no data/);
        assert.doesNotMatch(cost.note ?? '', /no series matches/);

        assert.ok(cards.some((c) => c.visible), 'some outcome cards are on screen');
        for (const card of cards.filter((c) => c.visible)) {
          const api = summary.outcomes.find((o) => o.id === card.id)!;
          if (!JUDGING.has(card.status)) {
            assert.equal(card.attainment, null, `${card.id}: ${card.status} with an attainment (${card.attainment}) beside it`);
          } else if (api.attainment !== null) {
            assert.ok(card.attainment !== null, `${card.id}: attainment shown`);
            assert.match(card.label, new RegExp(`${api.coverage.measured} of ${api.coverage.total} measured`), `${card.id}: coverage beside the attainment`);
          }
        }

        // The failing-collector banner names what goes stale by indicator title.
        assert.match(await page.textContent('[data-banner="collectors"]') ?? '', /Indicators they feed go stale: Energy per order\./);

        // The docs link answers with the section it names.
        const docs = await fetch(fx.url + '/docs/scoring.md');
        assert.equal(docs.status, 200);
        assert.match(await docs.text(), /^## Coverage: what a score speaks for$/m);

        await page.screenshot({ path: path.join(ARTIFACTS, `scores-${viewport.width}x${viewport.height}${kiosk ? '-kiosk' : ''}.png`), fullPage: viewport.width < 500 });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});
