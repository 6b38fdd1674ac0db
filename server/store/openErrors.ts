/**
 * A database file that cannot be used at all: corrupt, not SQLite, read-only, or in a directory
 * that cannot be written. The message is one line for a person — which file, what is wrong,
 * what to do — and the command line prints it as is and exits 2 (no stack trace).
 */
export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/** The DatabaseOpenError for `err` raised while opening `file`, or undefined when it is something else. */
export function explainOpenError(file: string, err: unknown): DatabaseOpenError | undefined {
  // A failed migration wraps the SQLite error as its cause.
  const outer = err as { code?: string; message?: string; cause?: { code?: string } };
  const e = outer.code === undefined && outer.cause?.code !== undefined ? (outer.cause as typeof outer) : outer;
  const code = String(e.code ?? '');
  const why = e.message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new DatabaseOpenError(
      `${file} is not a usable SQLite database (${why}); restore it from a backup (pillarboard backup makes one), or move it aside to start with an empty database`,
      file,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EROFS') {
    return new DatabaseOpenError(
      `${file} is read-only (${why}); give the user running pillarboard write permission on the file and its directory (SQLite writes -wal and -shm files beside it)`,
      file,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new DatabaseOpenError(
      `${file} cannot be opened (${why}); check that its directory exists and is writable by the user running pillarboard`,
      file,
    );
  }
  return undefined;
}
