/** Checkpoints of a run: one file per step, path relative to the run folder (`checkpoints/step-N.ckpt`). */
import { isAbsolute } from 'node:path'
import type { Database } from 'better-sqlite3'
import type { CheckpointRecord } from '@shared/store/types'
import { RunNotFoundError, StoreInputError, isForeignKeyError } from './errors'
import { StatementCache, writing } from './sql'

export interface CheckpointInput {
  step: number
  path: string
  bytes: number
  now?: number
}

interface CheckpointRow {
  id: number
  run_id: string
  step: number
  path: string
  bytes: number
  created_at: number
}

const recordOf = (r: CheckpointRow): CheckpointRecord => ({
  id: r.id,
  runId: r.run_id,
  step: r.step,
  path: r.path,
  bytes: r.bytes,
  createdAt: r.created_at,
})

export class CheckpointsRepo {
  private readonly stmts: StatementCache

  constructor(private readonly db: Database) {
    this.stmts = new StatementCache(db)
  }

  /** Records a checkpoint written to disk; a second one at the same step replaces the first. */
  addCheckpoint(runId: string, checkpoint: CheckpointInput): CheckpointRecord {
    const { step, path, bytes } = checkpoint
    if (!Number.isSafeInteger(step) || step < 0)
      throw new StoreInputError(`checkpoint step must be a non-negative integer (got ${step})`)
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new StoreInputError(`checkpoint bytes must be a non-negative integer (got ${bytes})`)
    if (path === '' || isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
      throw new StoreInputError(
        `checkpoint path ${JSON.stringify(path)} must be relative to the run folder, without '..'`,
      )
    }
    try {
      const row = writing(this.db, () =>
        this.stmts
          .get(
            `INSERT INTO checkpoints (run_id, step, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (run_id, step) DO UPDATE SET path = excluded.path, bytes = excluded.bytes, created_at = excluded.created_at
             RETURNING *`,
          )
          .get(runId, step, path, bytes, checkpoint.now ?? Date.now()),
      ) as CheckpointRow
      return recordOf(row)
    } catch (error) {
      if (isForeignKeyError(error)) throw new RunNotFoundError(runId)
      throw error
    }
  }

  listCheckpoints(runId: string): CheckpointRecord[] {
    const rows = this.stmts
      .get('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step')
      .all(runId) as CheckpointRow[]
    if (rows.length === 0 && this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined)
      throw new RunNotFoundError(runId)
    return rows.map(recordOf)
  }

  /** The newest checkpoint (to resume from), or undefined. */
  latestCheckpoint(runId: string): CheckpointRecord | undefined {
    const row = this.stmts.get('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1').get(runId) as
      CheckpointRow | undefined
    if (row === undefined && this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined)
      throw new RunNotFoundError(runId)
    return row === undefined ? undefined : recordOf(row)
  }

  /** Forgets a checkpoint row (the caller deletes the file). */
  removeCheckpoint(runId: string, step: number): boolean {
    return (
      writing(this.db, () => this.stmts.get('DELETE FROM checkpoints WHERE run_id = ? AND step = ?').run(runId, step))
        .changes > 0
    )
  }
}
