import type { Database } from 'better-sqlite3'

/**
 * One schema step. Migrations are append-only: never edit one that has shipped, add the next number.
 * `up` runs inside a transaction that also sets `user_version = version`.
 */
export interface Migration {
  version: number
  name: string
  up(db: Database): void
}
