/**
 * The verdict on a run that just finished (@shared/cd/verdict), from what the history holds: its final
 * evaluation (the last evaluated step's sliced Wasserstein rows) and its logged losses.
 */
import { judgeRun, type Verdict, type VerdictRow } from '@shared/cd/verdict'
import type { LabStore } from '../store'

export function judgeStoredRun(store: LabStore, runId: string): Verdict | null {
  const swd = store.evaluations.listEvaluations(runId, { metric: 'swd' })
  const last = swd.reduce((step, e) => Math.max(step, e.step), Number.NEGATIVE_INFINITY)
  const rows: VerdictRow[] = swd
    .filter((e) => e.step === last)
    .map((e) => ({ model: e.model, nfe: e.nfe, swd: e.value }))
  const losses = store.metrics.readSeries(runId, 'loss').map((p) => p.value)
  return judgeRun({ rows, losses })
}

/** Judges the run and stores the verdict (before its `finished` status goes out, so every view sees both). */
export function recordVerdict(store: LabStore, runId: string): Verdict | null {
  const verdict = judgeStoredRun(store, runId)
  store.runs.setVerdict(runId, verdict)
  return verdict
}
