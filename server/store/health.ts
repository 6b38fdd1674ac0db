/**
 * Whether writes to the database succeed, as the last write found out. A full disk
 * (SQLITE_FULL), an I/O error or a lock held too long is a fault of the storage, not of the
 * request: the API answers 503 with Retry-After, and /readyz reports the database not ready
 * until a write succeeds again (issue 12: a full disk used to answer 500 while /readyz said ok).
 */
export interface StorageFault {
  code: string;
  message: string;
  since: number;
}

const FAULT_CODES = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN)/;

/** The SQLite error code when `err` is a storage fault rather than a bug or bad input. */
export function storageFaultCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FAULT_CODES.test(code) ? code : undefined;
}

export class StorageHealth {
  private current: StorageFault | undefined;

  constructor(private readonly now: () => number) {}

  get fault(): StorageFault | undefined {
    return this.current;
  }

  /** Runs a write: a storage fault is remembered (and rethrown), a success clears the last one. */
  observe<T>(write: () => T): T {
    let out: T;
    try {
      out = write();
    } catch (err) {
      this.note(err);
      throw err;
    }
    this.current = undefined;
    return out;
  }

  /** Remembers `err` if it is a storage fault (the first one's time is kept while it lasts). */
  note(err: unknown): void {
    const code = storageFaultCode(err);
    if (!code) return;
    this.current = { code, message: (err as Error).message, since: this.current?.since ?? this.now() };
  }
}
