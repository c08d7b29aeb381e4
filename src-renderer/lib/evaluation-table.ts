/**
 * The final evaluation table of a run: one row per (model, NFE), each metric at the newest step evaluated,
 * and the metrics the table shows, in column order.
 */
import type { EvaluationRecord } from '@shared/store/types'

export interface EvaluationRow {
  model: string
  nfe: number
  /** Metric name → value at the newest step evaluated. */
  values: Record<string, number>
}

export const TABLE_METRICS = [
  'swd',
  'energy',
  'mmd',
  'fd',
  'precision',
  'recall',
  'density',
  'coverage',
  'offSupport',
  'agreement',
  'msPerSample',
] as const

const MODEL_ORDER: Record<string, number> = { student: 0, ema: 1, teacher: 2, data: 3 }

/**
 * One row per (model, NFE) with each metric's value at the newest step evaluated: the student by NFE,
 * then the teacher (its many-step result) and the data floor (a second held-out sample).
 */
export function evaluationRows(records: readonly EvaluationRecord[]): EvaluationRow[] {
  const newest = new Map<string, EvaluationRecord>()
  for (const r of records) {
    const key = `${r.model}\u0000${r.nfe}\u0000${r.metric}`
    const seen = newest.get(key)
    if (!seen || r.step > seen.step || (r.step === seen.step && r.id > seen.id)) newest.set(key, r)
  }
  const rows = new Map<string, EvaluationRow>()
  for (const r of newest.values()) {
    const key = `${r.model}\u0000${r.nfe}`
    let row = rows.get(key)
    if (!row) rows.set(key, (row = { model: r.model, nfe: r.nfe, values: {} }))
    row.values[r.metric] = r.value
  }
  return [...rows.values()].sort(
    (a, b) =>
      (MODEL_ORDER[a.model] ?? 9) - (MODEL_ORDER[b.model] ?? 9) || a.model.localeCompare(b.model) || a.nfe - b.nfe,
  )
}
