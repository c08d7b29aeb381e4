/**
 * Opening `lab.sqlite`: version check, pragmas, migrations.
 *
 * - WAL with a 5 s busy timeout, so the CLI, `clab serve` and the app can read and write the same history
 *   at once (readers never block the writer; writers queue for up to 5 s).
 * - `synchronous = FULL`: each commit is fsynced, so a committed run record or metric batch also survives a
 *   power cut, not only a crash of the process (NORMAL in WAL mode already survives kill -9). Metrics are
 *   written in batched transactions (a few commits per second), so the fsync costs little.
 * - A file whose `user_version` is above the last migration is refused with DatabaseTooNewError before
 *   anything is written to it (it is first opened read-only).
 */
import { existsSync } from 'node:fs'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { DatabaseTooNewError, DatabaseUnreadableError, translateSqliteError } from './errors'
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations'

export type { Database } from 'better-sqlite3'

export const BUSY_TIMEOUT_MS = 5000

export interface OpenDatabaseOptions {
  /** Apply migrations up to this version only (tests of a single migration). Default: all. */
  migrateTo?: number
  /** Migrations to use instead of MIGRATIONS (tests). */
  migrations?: readonly Migration[]
  busyTimeoutMs?: number
  /** Path to a better-sqlite3 `.node` build, e.g. an Electron-ABI build next to the Node one. */
  nativeBinding?: string
}

const UNREADABLE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT'])

/** Opens (creating if needed) and migrates the database at `file`. */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database {
  const migrations = options.migrations ?? MIGRATIONS
  const latest = migrations.length
  const binding = options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }
  if (existsSync(file)) checkVersionReadOnly(file, latest, binding)

  let db: Database
  try {
    db = new BetterSqlite3(file, { ...binding, timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS })
  } catch (error) {
    throw translateSqliteError(error, file)
  }
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? BUSY_TIMEOUT_MS)}`)
    // Checked again on the writable connection: another process may have migrated in between.
    const version = userVersion(db)
    if (version > latest) throw new DatabaseTooNewError(file, version, latest)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    migrate(db, file, migrations, options.migrateTo ?? latest)
    return db
  } catch (error) {
    db.close()
    if (UNREADABLE.has(String((error as { code?: unknown }).code))) throw new DatabaseUnreadableError(file, error)
    throw translateSqliteError(error, file)
  }
}

function checkVersionReadOnly(file: string, latest: number, binding: { nativeBinding?: string }): void {
  let db: Database
  try {
    db = new BetterSqlite3(file, { ...binding, readonly: true, fileMustExist: true })
  } catch (_error) {
    return // e.g. a WAL file without a writable -shm: the writable connection checks again
  }
  try {
    const version = userVersion(db)
    if (version > latest) throw new DatabaseTooNewError(file, version, latest)
  } catch (error) {
    if (UNREADABLE.has(String((error as { code?: unknown }).code))) throw new DatabaseUnreadableError(file, error)
    throw error
  } finally {
    db.close()
  }
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies each pending migration in its own IMMEDIATE transaction that also bumps `user_version`. The
 * version is re-read inside the transaction, so two processes opening a fresh file cannot both apply one.
 */
export function migrate(
  db: Database,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
  to = migrations.length,
): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`)
  })
  for (const migration of migrations) {
    if (migration.version > to) break
    const apply = db.transaction(() => {
      const current = userVersion(db)
      if (current > migrations.length) throw new DatabaseTooNewError(file, current, migrations.length)
      if (current >= migration.version) return
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    })
    apply.immediate()
  }
  return userVersion(db)
}

export { SCHEMA_VERSION }
