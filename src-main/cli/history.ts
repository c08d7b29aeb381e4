/**
 * The CLI's view of the run history: opening the store for --data-dir, a RunService for this process,
 * and turning stored evaluations back into the tables and JSON the commands print.
 */
import { SUPPORT_METRICS, type EvalRow, type SupportMetricName } from '@shared/cd/evaluation'
import { EVAL_ROW_MODELS } from './history-models'
import { openLabStore, type LabStore } from '../store'
import { RunService } from '../services/run-service'

export interface HistoryOptions {
  dataDir?: string
}

export function openHistory(options: HistoryOptions): { store: LabStore; service: RunService } {
  const store = openLabStore(options.dataDir ? { dataDir: options.dataDir } : {})
  const service = new RunService({ store })
  service.recover()
  return { store, service }
}

/** The final evaluation of a run (its last evaluated step) as table rows, plus teacher–student agreement. */
export function finalEvaluation(
  store: LabStore,
  runId: string,
): { step: number; rows: EvalRow[]; agreement: number | null } | null {
  const records = store.evaluations.listEvaluations(runId)
  if (records.length === 0) return null
  const step = Math.max(...records.map((r) => r.step))
  const byModel = new Map<string, EvalRow>()
  let agreement: number | null = null
  for (const r of records) {
    if (r.step !== step) continue
    // The summary figure is the student's one-step agreement; every row also carries its own.
    if (r.metric === 'agreement' && r.model === 'student' && r.nfe === 1) agreement = r.value
    if (!EVAL_ROW_MODELS.includes(r.model as EvalRow['model'])) continue
    const key = `${r.model}/${r.nfe}`
    const row = byModel.get(key) ?? {
      model: r.model as EvalRow['model'],
      nfe: r.nfe,
      swd: NaN,
      energy: NaN,
      mmd: NaN,
      msPerSample: NaN,
    }
    if (
      r.metric === 'swd' ||
      r.metric === 'energy' ||
      r.metric === 'mmd' ||
      r.metric === 'msPerSample' ||
      r.metric === 'fd' ||
      r.metric === 'agreement'
    )
      row[r.metric] = r.value
    if (SUPPORT_METRICS.includes(r.metric as SupportMetricName)) row[r.metric as SupportMetricName] = r.value
    byModel.set(key, row)
  }
  const order = (row: EvalRow) => EVAL_ROW_MODELS.indexOf(row.model) * 1e6 + row.nfe
  return { step, rows: [...byModel.values()].sort((a, b) => order(a) - order(b)), agreement }
}
