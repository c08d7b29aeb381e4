/**
 * Named store errors. Each has a stable `code` so services can send it across IPC as data
 * (`{ ok: false, error: { code, message } }`) and the CLI can print the message as is.
 */

export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The database file was written by a newer app (its `user_version` is above our last migration). */
export class DatabaseTooNewError extends StoreError {
  constructor(
    readonly file: string,
    readonly fileVersion: number,
    readonly appVersion: number,
  ) {
    super(
      'DATABASE_TOO_NEW',
      `${file} has schema version ${fileVersion}, but this app knows versions up to ${appVersion}: ` +
        'it was written by a newer Consistency Lab. Update the app; the file was left untouched.',
    )
  }
}

/** The file exists but SQLite cannot read it as a database (SQLITE_NOTADB / SQLITE_CORRUPT). */
export class DatabaseUnreadableError extends StoreError {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super('DATABASE_UNREADABLE', `${file} is not a readable Consistency Lab database: ${(cause as Error).message}`, {
      cause,
    })
  }
}

/** The disk (or the database's page limit) is full; the transaction was rolled back. */
export class StorageFullError extends StoreError {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      'STORAGE_FULL',
      `the disk holding ${file} is full: the last write was rolled back (free some space and resume)`,
      { cause },
    )
  }
}

/** Another process held the database lock for longer than the busy timeout. */
export class DatabaseBusyError extends StoreError {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super('DATABASE_BUSY', `${file} stayed locked by another process for too long; try again`, { cause })
  }
}

export class RunNotFoundError extends StoreError {
  constructor(readonly runId: string) {
    super('RUN_NOT_FOUND', `run ${JSON.stringify(runId)} does not exist`)
  }
}

export class TeacherNotFoundError extends StoreError {
  constructor(readonly teacherId: string) {
    super('TEACHER_NOT_FOUND', `teacher ${JSON.stringify(teacherId)} does not exist`)
  }
}

export class TeacherInUseError extends StoreError {
  constructor(readonly teacherId: string) {
    super('TEACHER_IN_USE', `teacher ${JSON.stringify(teacherId)} is used by runs; delete those runs first`)
  }
}

/** An id that cannot name a folder safely (path separators, `..`, empty, …). */
export class InvalidIdError extends StoreError {
  constructor(
    readonly id: string,
    what: string,
  ) {
    super('INVALID_ID', `${JSON.stringify(id)} is not a valid ${what} id (letters, digits, '.', '_' and '-' only)`)
  }
}

/** Bad arguments to a store call (negative steps, empty keys, a bucket count of 0, …). */
export class StoreInputError extends StoreError {
  constructor(message: string) {
    super('STORE_INPUT', message)
  }
}

interface SqliteLikeError {
  code?: unknown
}

const sqliteCode = (error: unknown): string =>
  typeof (error as SqliteLikeError)?.code === 'string' ? ((error as SqliteLikeError).code as string) : ''

/** Maps SQLite's disk-full and busy errors to named errors; everything else is rethrown unchanged. */
export function translateSqliteError(error: unknown, file: string): unknown {
  const code = sqliteCode(error)
  if (
    code === 'SQLITE_FULL' ||
    code.startsWith('SQLITE_FULL_') ||
    (code === 'SQLITE_IOERR_WRITE' && /space/i.test(String(error)))
  ) {
    return new StorageFullError(file, error)
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_')) return new DatabaseBusyError(file, error)
  return error
}

export function isForeignKeyError(error: unknown): boolean {
  return sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY'
}

export function isUniqueError(error: unknown): boolean {
  const code = sqliteCode(error)
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}
