/**
 * Short run ids, as git's short commit ids: a run id is `YYYYMMDD-HHMMSS-` then 8 random characters, and
 * people copy either end of it. A string names the run whose id is it, or the one run whose id starts with
 * it, or (the random tail being what tells runs of one second apart) the one run whose tail starts with it.
 */
import type { Database } from 'better-sqlite3'
import { RunNotFoundError, StoreInputError } from './errors'

/** How many candidates an ambiguity error names before "and N more". */
const NAMED_CANDIDATES = 5

/** LIKE with its wildcards escaped, so `_` and `%` in a typed prefix match only themselves. */
const likePrefix = (text: string): string => `${text.replace(/[\\%_]/gu, (c) => `\\${c}`)}%`

export function resolveRunIdPrefix(db: Database, text: string): string {
  const typed = text.trim()
  if (typed === '') throw new StoreInputError('run id must not be empty')
  if (db.prepare('SELECT 1 FROM runs WHERE id = ?').get(typed) !== undefined) return typed
  const lower = typed.toLowerCase()
  let matches = db
    .prepare(`SELECT id FROM runs WHERE lower(id) LIKE ? ESCAPE '\\' ORDER BY id`)
    .pluck()
    .all(likePrefix(lower)) as string[]
  if (matches.length === 0 && !lower.includes('-')) {
    // The random tail alone (`7xr1y7dx`): the 17th character on, after `YYYYMMDD-HHMMSS-`.
    matches = db
      .prepare(
        `SELECT id FROM runs WHERE lower(substr(id, 17)) LIKE ? ESCAPE '\\' AND substr(id, 16, 1) = '-' ORDER BY id`,
      )
      .pluck()
      .all(likePrefix(lower)) as string[]
  }
  if (matches.length === 1) return matches[0] as string
  if (matches.length === 0) throw new RunNotFoundError(typed)
  const named = matches.slice(0, NAMED_CANDIDATES).join(', ')
  const more = matches.length > NAMED_CANDIDATES ? ` and ${matches.length - NAMED_CANDIDATES} more` : ''
  throw new AmbiguousRunIdError(typed, matches, `run id "${typed}" is ambiguous: it matches ${named}${more}`)
}

/** Several runs match a short id; `candidates` are their full ids. */
export class AmbiguousRunIdError extends StoreInputError {
  constructor(
    readonly prefix: string,
    readonly candidates: string[],
    message: string,
  ) {
    super(message)
    this.name = 'AmbiguousRunIdError'
  }
}
