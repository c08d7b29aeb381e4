/**
 * Runs: create (config written before step 0), status changes, notes, tags, listing with last metrics,
 * start-up recovery, delete. Files are not touched here: deleteRun returns the run folder for the service.
 */
import { hostname } from 'node:os'
import type { Database } from 'better-sqlite3'
import { RUN_VERDICTS, type Verdict } from '@shared/cd/verdict'
import { storedEffectiveConfig } from '@shared/config/effective'
import { checkRunName, defaultRunName } from '@shared/run-name'
import {
  PARENT_KINDS,
  RUN_KINDS,
  RUN_STATUSES,
  TERMINAL_STATUSES,
  type ParentKind,
  type Run,
  type RunKind,
  type RunListItem,
  type RunStatus,
} from '@shared/store/types'
import { assertSafeId, runPaths } from './data-dir'
import { RunNotFoundError, StoreInputError, TeacherNotFoundError, isForeignKeyError, isUniqueError } from './errors'
import { newRunId } from './ids'
import { readRunConfig } from './run-config'
import { resolveRunIdPrefix } from './run-id-prefix'
import { type RunFilter, listRunsQuery } from './run-list-query'
import { type ListRow, type RunRow, SUMMARY_COLUMNS, listItemOf, summaryOf } from './run-rows'
import { StatementCache, writing } from './sql'

export type { RunFilter } from './run-list-query'

export interface CreateRunInput {
  kind: RunKind
  /** The validated run config; stored as JSON. */
  config: unknown
  appVersion: string
  /** Default `queued`. */
  status?: RunStatus
  /** Default: a new sortable id (ids.ts). */
  id?: string
  /** Default: derived from the config (@shared/run-name), stored so later changes of defaults keep it. */
  name?: string
  /** A distillation's grid top step, from its teacher's schedule at launch (Run.gridTop). */
  gridTop?: number | null
  teacherId?: string | null
  parentRunId?: string | null
  parentKind?: ParentKind | null
  /** The parent's step this run starts from (its checkpoint). */
  parentStep?: number | null
  backend?: string | null
  seed?: number | null
  notes?: string
  tags?: string[]
  now?: number
}

export interface StatusChange {
  now?: number
  /** Stored in `error` (failed runs); moving to `running` or `queued` clears it. */
  error?: string | null
  /** The process driving the run (default: this one); recorded for `running` and `paused`. */
  owner?: { host: string; pid: number }
}

export interface RecoveryOptions {
  now?: number
  /** Whether a process on this host is alive (default: `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean
  host?: string
}

export interface DeletedRun {
  run: Run
  /** The run folder (`runs/<id>/`) the caller should remove. */
  dir: string
}

const TAG_RE = /^[^\s,][^,]{0,63}$/u

function checkTags(tags: readonly string[]): string[] {
  const clean = [...new Set(tags.map((t) => t.trim()))]
  for (const tag of clean) {
    if (!TAG_RE.test(tag))
      throw new StoreInputError(`tag ${JSON.stringify(tag)} must be 1–64 characters without commas`)
  }
  return clean
}

function checkName(name: string): string | null {
  try {
    return checkRunName(name)
  } catch (error) {
    throw new StoreInputError((error as Error).message)
  }
}

/** The derived name, as the column allows it (a config always gives a non-empty one). */
function derivedName(kind: string, config: unknown): string {
  return defaultRunName(kind, kind === 'distill' ? storedEffectiveConfig(kind, config) : config)
}

function checkInt(name: string, value: number | null | undefined): void {
  if (value !== null && value !== undefined && !Number.isSafeInteger(value)) {
    throw new StoreInputError(`${name} must be an integer (got ${value})`)
  }
}

/** Statuses whose job lives in one process: the row names it, so recovery can tell a live owner from a dead one. */
const OWNED_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused']

export class RunsRepo {
  private readonly stmts: StatementCache

  constructor(
    private readonly db: Database,
    /** The data folder, to name run folders. */
    private readonly dataDir: string,
  ) {
    this.stmts = new StatementCache(db)
  }

  /** Inserts the run with its config (before step 0) and tags, in one transaction. */
  createRun(input: CreateRunInput): Run {
    if (!RUN_KINDS.includes(input.kind)) throw new StoreInputError(`unknown run kind ${JSON.stringify(input.kind)}`)
    const status = input.status ?? 'queued'
    if (!RUN_STATUSES.includes(status)) throw new StoreInputError(`unknown run status ${JSON.stringify(status)}`)
    if (input.parentKind != null && !PARENT_KINDS.includes(input.parentKind)) {
      throw new StoreInputError(`unknown parent kind ${JSON.stringify(input.parentKind)}`)
    }
    if ((input.parentRunId == null) !== (input.parentKind == null)) {
      throw new StoreInputError('parentRunId and parentKind go together')
    }
    checkInt('seed', input.seed)
    checkInt('parentStep', input.parentStep)
    checkInt('gridTop', input.gridTop)
    const configJson = JSON.stringify(input.config ?? null)
    const name = checkName(input.name ?? '') ?? derivedName(input.kind, input.config ?? null)
    const tags = checkTags(input.tags ?? [])
    if (input.id !== undefined) assertSafeId(input.id, 'run')
    const now = input.now ?? Date.now()
    const running = OWNED_STATUSES.includes(status)

    const insert = this.db.transaction((id: string) => {
      this.stmts
        .get(
          `INSERT INTO runs (id, kind, status, config_json, teacher_id, parent_run_id, parent_kind, parent_step, backend,
             app_version, seed, created_at, started_at, notes, owner_host, owner_pid, name, grid_top)
           VALUES (@id, @kind, @status, @config, @teacherId, @parentRunId, @parentKind, @parentStep, @backend,
             @appVersion, @seed, @now, @startedAt, @notes, @ownerHost, @ownerPid, @name, @gridTop)`,
        )
        .run({
          id,
          kind: input.kind,
          status,
          config: configJson,
          teacherId: input.teacherId ?? null,
          parentRunId: input.parentRunId ?? null,
          parentKind: input.parentKind ?? null,
          parentStep: input.parentStep ?? null,
          backend: input.backend ?? null,
          appVersion: input.appVersion,
          seed: input.seed ?? null,
          now,
          startedAt: status === 'running' ? now : null,
          notes: input.notes ?? '',
          ownerHost: running ? hostname() : null,
          ownerPid: running ? process.pid : null,
          name,
          gridTop: input.gridTop ?? null,
        })
      const addTag = this.stmts.get('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)')
      for (const tag of tags) addTag.run(id, tag)
    })

    for (let attempt = 0; ; attempt++) {
      const id = input.id ?? newRunId(now)
      try {
        writing(this.db, () => insert(id))
        return this.getRun(id)
      } catch (error) {
        if (isUniqueError(error) && input.id === undefined && attempt < 5) continue
        if (isForeignKeyError(error)) {
          if (
            input.teacherId != null &&
            this.stmts.get('SELECT 1 FROM teachers WHERE id = ?').get(input.teacherId) === undefined
          ) {
            throw new TeacherNotFoundError(input.teacherId)
          }
          if (input.parentRunId != null) throw new RunNotFoundError(input.parentRunId)
        }
        throw error
      }
    }
  }

  findRun(id: string): Run | undefined {
    const row = this.stmts.get(`SELECT ${SUMMARY_COLUMNS}, config_json, grid_top FROM runs WHERE id = ?`).get(id) as
      (RunRow & { grid_top: number | null }) | undefined
    if (row === undefined) return undefined
    const run: Run = { ...summaryOf(row, this.tagsOf(id)), ...readRunConfig(row.kind, row.config_json) }
    return row.kind === 'distill' ? { ...run, gridTop: row.grid_top } : run
  }

  /**
   * The run an id or a unique id prefix names, as git resolves commits (`7xr1y7dx`, `20261204-1800`).
   * Throws RunNotFoundError when none matches, StoreInputError naming the candidates when several do.
   */
  resolveId(idOrPrefix: string): string {
    return resolveRunIdPrefix(this.db, idOrPrefix)
  }

  /** Names the run; an empty name goes back to the one derived from its config. Returns the name now shown. */
  rename(id: string, name: string): string {
    const clean = checkName(name)
    const info = writing(this.db, () => this.stmts.get('UPDATE runs SET name = ? WHERE id = ?').run(clean, id))
    if (info.changes === 0) throw new RunNotFoundError(id)
    if (clean === null) {
      // Derived now rather than left NULL, so it stays what the user saw when later defaults change.
      const run = this.getRun(id)
      const derived = derivedName(run.kind, run.config)
      writing(this.db, () => this.stmts.get('UPDATE runs SET name = ? WHERE id = ?').run(derived, id))
      return derived
    }
    return clean
  }

  /** Throws RunNotFoundError naming the id. */
  getRun(id: string): Run {
    const run = this.findRun(id)
    if (run === undefined) throw new RunNotFoundError(id)
    return run
  }

  exists(id: string): boolean {
    return this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined
  }

  /**
   * Sets the status. Entering `running` the first time sets `startedAt`; entering a terminal status sets
   * `finishedAt`; leaving one (a resumed run) clears it. `queued`/`running`/`paused` record the owning process.
   */
  updateStatus(id: string, status: RunStatus, change: StatusChange = {}): Run {
    if (!RUN_STATUSES.includes(status)) throw new StoreInputError(`unknown run status ${JSON.stringify(status)}`)
    const now = change.now ?? Date.now()
    const terminal = TERMINAL_STATUSES.includes(status)
    const owned = OWNED_STATUSES.includes(status)
    const owner = change.owner ?? { host: hostname(), pid: process.pid }
    const clearsError = status === 'running' || status === 'queued'
    const info = writing(this.db, () =>
      this.stmts
        .get(
          `UPDATE runs SET status = @status,
             started_at = CASE WHEN @status = 'running' AND started_at IS NULL THEN @now ELSE started_at END,
             finished_at = CASE WHEN @terminal THEN @now ELSE NULL END,
             error = CASE WHEN @hasError THEN @error WHEN @clearsError THEN NULL ELSE error END,
             owner_host = CASE WHEN @owned THEN @host ELSE NULL END,
             owner_pid = CASE WHEN @owned THEN @pid ELSE NULL END,
             verdict = CASE WHEN @clearsError THEN NULL ELSE verdict END,
             verdict_reason = CASE WHEN @clearsError THEN NULL ELSE verdict_reason END
           WHERE id = @id`,
        )
        .run({
          id,
          status,
          now,
          terminal: terminal ? 1 : 0,
          hasError: change.error !== undefined ? 1 : 0,
          error: change.error ?? null,
          clearsError: clearsError ? 1 : 0,
          owned: owned ? 1 : 0,
          host: owner.host,
          pid: owner.pid,
        }),
    )
    if (info.changes === 0) throw new RunNotFoundError(id)
    return this.getRun(id)
  }

  setError(id: string, error: string | null): void {
    this.updateColumn(id, 'error', error)
  }

  setNotes(id: string, notes: string): void {
    this.updateColumn(id, 'notes', notes)
  }

  /** The verdict on a finished run (null: none); running it again clears it (updateStatus). */
  setVerdict(id: string, verdict: Verdict | null): void {
    if (verdict !== null && !RUN_VERDICTS.includes(verdict.verdict))
      throw new StoreInputError(`unknown run verdict ${JSON.stringify(verdict.verdict)}`)
    const info = writing(this.db, () =>
      this.stmts
        .get('UPDATE runs SET verdict = @verdict, verdict_reason = @reason WHERE id = @id')
        .run({ id, verdict: verdict?.verdict ?? null, reason: verdict?.reason ?? null }),
    )
    if (info.changes === 0) throw new RunNotFoundError(id)
  }

  /** The backend the run actually got (after `auto` was resolved). */
  setBackend(id: string, backend: string): void {
    this.updateColumn(id, 'backend', backend)
  }

  private updateColumn(id: string, column: 'error' | 'notes' | 'backend', value: string | null): void {
    const info = writing(this.db, () => this.stmts.get(`UPDATE runs SET ${column} = ? WHERE id = ?`).run(value, id))
    if (info.changes === 0) throw new RunNotFoundError(id)
  }

  /**
   * Start-up recovery: runs left `queued`, `running` or `paused` by a process that is gone become
   * `interrupted` (resumable: from their last checkpoint, or from step 0 if they never started; a queued
   * run's job lived only in the memory of the process that queued it). Runs owned by a live process on this host (say, a CLI run in
   * progress) and runs owned by another host (a shared folder) are left alone. Returns the ids changed.
   */
  markRunningAsInterrupted(options: RecoveryOptions = {}): string[] {
    const host = options.host ?? hostname()
    const isAlive = options.isAlive ?? processAlive
    const now = options.now ?? Date.now()
    const recover = this.db.transaction(() => {
      const rows = this.stmts
        .get(`SELECT id, owner_host, owner_pid FROM runs WHERE status IN ('queued', 'running', 'paused')`)
        .all() as { id: string; owner_host: string | null; owner_pid: number | null }[]
      const orphans = rows.filter(
        (r) => r.owner_pid === null || (r.owner_host === host && r.owner_pid !== process.pid && !isAlive(r.owner_pid)),
      )
      const mark = this.stmts.get(
        `UPDATE runs SET status = 'interrupted', finished_at = @now, owner_host = NULL, owner_pid = NULL,
           error = coalesce(error, 'the process running it stopped unexpectedly') WHERE id = @id`,
      )
      for (const r of orphans) mark.run({ id: r.id, now })
      return orphans.map((r) => r.id)
    })
    return writing(this.db, () => recover.immediate())
  }

  tagsOf(id: string): string[] {
    return this.stmts.get('SELECT tag FROM run_tags WHERE run_id = ? ORDER BY tag').pluck().all(id) as string[]
  }

  /** Adds tags (existing ones are kept). */
  tag(id: string, tags: string[]): string[] {
    const clean = checkTags(tags)
    const add = this.db.transaction(() => {
      this.mustExist(id)
      const stmt = this.stmts.get('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)')
      for (const t of clean) stmt.run(id, t)
    })
    writing(this.db, () => add())
    return this.tagsOf(id)
  }

  untag(id: string, tags: string[]): string[] {
    const remove = this.db.transaction(() => {
      this.mustExist(id)
      const stmt = this.stmts.get('DELETE FROM run_tags WHERE run_id = ? AND tag = ?')
      for (const t of tags) stmt.run(id, t.trim())
    })
    writing(this.db, () => remove())
    return this.tagsOf(id)
  }

  /** Every tag in use, with how many runs carry it. */
  allTags(): { tag: string; runs: number }[] {
    return this.stmts.get('SELECT tag, count(*) AS runs FROM run_tags GROUP BY tag ORDER BY tag').all() as {
      tag: string
      runs: number
    }[]
  }

  private mustExist(id: string): void {
    if (!this.exists(id)) throw new RunNotFoundError(id)
  }

  /** Runs newest first, each with its tags and the last point of each metric series. */
  listRuns(filter: RunFilter = {}): RunListItem[] {
    const { sql, params } = listRunsQuery(filter)
    // Raw rows in SUMMARY_COLUMNS order: building the objects by hand is ~2x faster than named rows.
    const rows = this.stmts.get(sql).raw().all(params) as ListRow[]
    const keys = filter.metricKeys
    const withConfig = filter.withConfig === true
    const out: RunListItem[] = new Array(rows.length)
    for (let i = 0; i < rows.length; i++) out[i] = listItemOf(rows[i] as ListRow, keys, withConfig)
    return out
  }

  /**
   * Deletes the run's rows (metrics, tags, evaluations, samples, checkpoints cascade); children are kept,
   * with `parentRunId` null. Returns the run and the folder the caller should remove.
   */
  deleteRun(id: string): DeletedRun {
    const remove = this.db.transaction(() => {
      const run = this.getRun(id)
      this.stmts.get('DELETE FROM runs WHERE id = ?').run(id)
      return run
    })
    const run = writing(this.db, () => remove())
    return { run, dir: runPaths(this.dataDir, id).dir }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
