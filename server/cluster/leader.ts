import { EventEmitter } from 'node:events';
import os from 'node:os';
import pg from 'pg';
import type { Logger } from '../../collectors/types.js';
import type { Cancel, Clock } from '../clock.js';

/**
 * The advisory lock key replicas compete for ("pillarbo" + 1): distinct from the migration lock
 * and the store's transaction-level locks (store/pg/pool.ts, migrate.ts).
 */
export const LEADER_LOCK_KEY = 0x70696c6c61726201n;

/** The replica's name as other replicas see it: host and pid unless told otherwise. */
export function defaultReplicaId(): string {
  return `${os.hostname()}:${process.pid}`;
}

export interface LeaderElectionOptions {
  /** Connection settings (store/pg/connection.ts parsePgUrl(...).pool). */
  connection: pg.ClientConfig;
  /** The runtime's clock: the tries are its timers. */
  clock: Clock;
  /** This replica's name, shown by /readyz and /api/collectors of every replica. */
  replicaId?: string;
  key?: bigint;
  /**
   * How often a follower tries the lock and the leader proves its session alive (default 2 s).
   * A leader killed outright loses the lock as soon as PostgreSQL sees its connection close;
   * one cut off the network, when the server's TCP keepalive gives up (set to ~5 s + 3 × 2 s on
   * this session), so a follower leads within about 15 s either way.
   */
  intervalMs?: number;
  log?: Logger;
}

export interface LeaderInfo {
  replicaId: string;
  /** When its session (the one holding the lock) started, ms epoch. */
  since: number;
}

/**
 * Exactly one leader among the replicas sharing a PostgreSQL database: the one whose session
 * holds a session-level advisory lock (DESIGN: PostgreSQL guarantees it, no scheme of ours).
 * Each replica keeps one connection for it, outside the store's pool. Emits 'change' (leader:
 * boolean) when this replica gains or loses the lead; a leader steps down at once when its
 * session fails a check (a restarted server, a cut connection), before anyone else can take the
 * lock, and the lock is gone with the session, so no two replicas lead at once as long as the
 * leader's work stops on 'change'.
 */
export class LeaderElection extends EventEmitter<{ change: [leader: boolean] }> {
  readonly replicaId: string;
  private readonly key: bigint;
  private readonly intervalMs: number;
  private client: pg.Client | undefined;
  private leading = false;
  private timer: Cancel | undefined;
  private stopped = false;
  private ticking: Promise<void> | undefined;
  private lastError = '';

  constructor(private readonly opts: LeaderElectionOptions) {
    super();
    this.replicaId = opts.replicaId ?? defaultReplicaId();
    this.key = opts.key ?? LEADER_LOCK_KEY;
    this.intervalMs = Math.max(100, opts.intervalMs ?? 2_000);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Makes the first attempt (resolves once it is made, leading or not), then keeps trying. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  /** Stops competing; a leader unlocks and closes its session, so another replica leads at its next try. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.();
    this.timer = undefined;
    await this.ticking;
    const c = this.client;
    this.client = undefined;
    if (c) {
      if (this.leading) await c.query('SELECT pg_advisory_unlock($1)', [this.key.toString()]).catch(() => undefined);
      await c.end().catch(() => undefined);
    }
    this.setLeading(false);
  }

  /** Who leads now, as PostgreSQL sees it (any replica may ask); undefined when nobody does. */
  async currentLeader(): Promise<LeaderInfo | undefined> {
    const c = this.client;
    if (!c) return undefined;
    const hi = Number(this.key >> 32n);
    const lo = Number(this.key & 0xffffffffn);
    const r = await c.query<{ app: string; since: Date }>(
      `SELECT a.application_name AS app, a.backend_start AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [hi, lo],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return { replicaId: row.app.replace(/^pillarboard /, ''), since: row.since.getTime() };
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    this.opts.log?.[v ? 'info' : 'warn'](v ? 'leader: this replica leads' : 'leader: this replica no longer leads', { replica: this.replicaId });
    this.emit('change', v);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.opts.clock.setTimeout(() => void this.tick(), this.intervalMs);
  }

  private tick(): Promise<void> {
    this.ticking = this.attempt().finally(() => {
      this.ticking = undefined;
      this.schedule();
    });
    return this.ticking;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const c = this.client ?? (await this.connect());
      if (this.leading) {
        await c.query('SELECT 1');
      } else {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [this.key.toString()]);
        if (this.stopped) return;
        this.setLeading(r.rows[0]!.ok);
      }
      this.lastError = '';
    } catch (err) {
      // The session is gone or unusable: whatever it held is released with it (or will be when
      // the server notices), so this replica stops leading now and reconnects at the next try.
      const msg = (err as Error).message;
      if (msg !== this.lastError) this.opts.log?.warn('leader: the election connection failed', { replica: this.replicaId, error: msg });
      this.lastError = msg;
      const c = this.client;
      this.client = undefined;
      c?.end().catch(() => undefined);
      this.setLeading(false);
    }
  }

  private async connect(): Promise<pg.Client> {
    const c = new pg.Client({
      ...this.opts.connection,
      application_name: `pillarboard ${this.replicaId}`.slice(0, 63),
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
      query_timeout: Math.max(5_000, this.intervalMs * 2),
      connectionTimeoutMillis: Math.max(5_000, this.intervalMs * 2),
    });
    c.on('error', () => undefined); // reported by the next check, which then reconnects
    await c.connect();
    try {
      // The server notices a peer that vanished without closing (a cut network) within ~11 s.
      await c.query('SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3');
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    this.client = c;
    return c;
  }
}
