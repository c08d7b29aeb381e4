/** Small helpers shared by the repositories. */
import type { Database, Statement } from 'better-sqlite3'
import { translateSqliteError } from './errors'

/** Runs `fn`, turning SQLite's disk-full / busy errors into StorageFullError / DatabaseBusyError. */
export function writing<T>(db: Database, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw translateSqliteError(error, db.name)
  }
}

/** Prepares each distinct SQL text once per connection (dynamic list queries repeat a few shapes). */
export class StatementCache {
  private readonly cache = new Map<string, Statement>()
  constructor(private readonly db: Database) {}

  get(sql: string): Statement {
    let stmt = this.cache.get(sql)
    if (stmt === undefined) {
      stmt = this.db.prepare(sql)
      this.cache.set(sql, stmt)
    }
    return stmt
  }
}

/** SQLite has no NaN: it is stored as NULL and read back as NaN. */
export const toDb = (value: number): number | null => (Number.isNaN(value) ? null : value)
export const fromDb = (value: number | null): number => (value === null ? Number.NaN : value)
