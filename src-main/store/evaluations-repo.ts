/** Evaluations of a run: a metric (swd, mmd, …) of a model (student, ema, teacher, data) at an NFE and step. */
import type { Database } from 'better-sqlite3'
import type { EvaluationRecord } from '@shared/store/types'
import { RunNotFoundError, StoreInputError, isForeignKeyError } from './errors'
import { StatementCache, fromDb, toDb, writing } from './sql'

export interface EvaluationInput {
  step: number
  metric: string
  model: string
  nfe: number
  value: number
  now?: number
}

interface EvaluationRow {
  id: number
  run_id: string
  step: number
  metric: string
  model: string
  nfe: number
  value: number | null
  created_at: number
}

export class EvaluationsRepo {
  private readonly stmts: StatementCache

  constructor(private readonly db: Database) {
    this.stmts = new StatementCache(db)
  }

  /** Adds evaluations in one transaction; one with the same (step, metric, model, nfe) is replaced. */
  addEvaluations(runId: string, evaluations: readonly EvaluationInput[]): void {
    for (const e of evaluations) {
      if (!Number.isSafeInteger(e.step) || e.step < 0)
        throw new StoreInputError(`evaluation step must be a non-negative integer (got ${e.step})`)
      if (!Number.isSafeInteger(e.nfe) || e.nfe < 0)
        throw new StoreInputError(`evaluation nfe must be a non-negative integer (got ${e.nfe})`)
      if (!e.metric || !e.model) throw new StoreInputError('evaluation metric and model must be non-empty')
    }
    const add = this.db.transaction(() => {
      const stmt = this.stmts.get(
        `INSERT INTO evaluations (run_id, step, metric, model, nfe, value, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step, metric, model, nfe) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
      )
      for (const e of evaluations) stmt.run(runId, e.step, e.metric, e.model, e.nfe, toDb(e.value), e.now ?? Date.now())
    })
    try {
      writing(this.db, () => add())
    } catch (error) {
      if (isForeignKeyError(error)) throw new RunNotFoundError(runId)
      throw error
    }
  }

  /** The run's evaluations by step, metric, model, nfe. */
  listEvaluations(runId: string, filter: { metric?: string; model?: string } = {}): EvaluationRecord[] {
    const rows = this.stmts
      .get(
        `SELECT * FROM evaluations WHERE run_id = @runId AND (@metric IS NULL OR metric = @metric) AND (@model IS NULL OR model = @model)
         ORDER BY step, metric, model, nfe`,
      )
      .all({ runId, metric: filter.metric ?? null, model: filter.model ?? null }) as EvaluationRow[]
    if (rows.length === 0 && this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined)
      throw new RunNotFoundError(runId)
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      step: r.step,
      metric: r.metric,
      model: r.model,
      nfe: r.nfe,
      value: fromDb(r.value),
      createdAt: r.created_at,
    }))
  }
}
