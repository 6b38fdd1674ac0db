import { copyStore, CopyVerificationError, type CopyProgress } from '../store/copy/index.js';
import type { Clock } from '../clock.js';
import { isPostgresUrl, redactUrl } from '../store/pg/connection.js';

/**
 * `pillarboard store copy --from A --to B`: moves a whole store between SQLite and PostgreSQL
 * (store/copy). Progress on a terminal (a line redrawn per batch); one line per table otherwise.
 * Exit 0 when the copy reads back as its source, 1 when it failed or does not verify.
 */
export async function runStoreCopy(
  opts: { from: string; to: string; sampleSeries: number },
  out: NodeJS.WritableStream,
  err: NodeJS.WriteStream | NodeJS.WritableStream,
  clock: Clock,
): Promise<number> {
  const tty = (err as NodeJS.WriteStream).isTTY === true;
  const shown = (s: string) => (isPostgresUrl(s) ? redactUrl(s) : s);
  let lastTable = '';
  let lastDraw = 0;
  const onProgress = (p: CopyProgress) => {
    const label = `${p.phase === 'copy' ? 'copying' : 'verifying'} ${p.table}`;
    if (tty) {
      const now = clock.now();
      if (p.done !== p.total && now - lastDraw < 100) return;
      lastDraw = now;
      const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
      err.write(`\r\x1b[2K${label}: ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} (${pct}%)`);
      if (p.done === p.total) err.write('\n');
    } else if (p.phase === 'copy' && p.done === p.total && p.table !== lastTable) {
      lastTable = p.table;
      err.write(`copied ${p.table}: ${p.total} rows\n`);
    }
  };
  err.write(`copying ${shown(opts.from)} to ${shown(opts.to)}\n`);
  try {
    const r = await copyStore({ from: opts.from, to: opts.to, sampleSeries: opts.sampleSeries, onProgress, now: clock.now });
    const checked = r.tables.filter((t) => t.check === 'rows').length;
    out.write(
      `copied ${r.rows.toLocaleString('en-US')} rows in ${r.tables.length} tables from ${r.from} to ${r.to} in ${(r.ms / 1000).toFixed(1)} s; ` +
        `verified: every table's row count, ${checked} tables row by row, ` +
        `${r.samplesCompared.toLocaleString('en-US')} raw samples of ${r.seriesCompared} sampled series read back equal\n`,
    );
    return 0;
  } catch (e) {
    if (tty) err.write('\n');
    const msg = (e as Error).message;
    err.write(`pillarboard: store copy failed: ${msg}\n`);
    if (e instanceof CopyVerificationError) err.write('pillarboard: the destination holds the copy as made; drop it (or delete the file) before copying again\n');
    return 1;
  }
}
