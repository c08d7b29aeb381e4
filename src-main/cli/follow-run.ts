/**
 * Follows one run of the RunService on the terminal: a progress bar fed by its (throttled) metric updates,
 * Ctrl-C to cancel with a checkpoint, and the measured training speed.
 */
import type { LabStore } from '../store'
import type { RunService } from '../services/run-service'
import { phaseLine, progressBar, type Progress } from './progress'

export async function followRun(
  runId: string,
  store: LabStore,
  service: RunService,
  label: string,
): Promise<{ msPerStep: number }> {
  const run = store.runs.getRun(runId)
  const total = (run.config as { steps: number }).steps
  let bar: Progress | null = null
  let firstStep: number | null = null
  let firstWall = 0
  let lastStep = 0
  let lastWall = 0
  const phases = phaseLine()
  const off = service.subscribe((update) => {
    if (update.type === 'phase' && update.runId === runId) {
      // The final evaluation follows the last step: the bar is done, the phase line goes under it.
      if (update.phase?.name === 'evaluation' && bar) {
        ;(bar as Progress).stop()
        bar = null
      }
      phases.show(update.phase)
      return
    }
    if (update.type === 'run' && update.run.id === runId && update.run.status === 'running' && update.run.backend) {
      if (!bar) {
        phases.show(null) // the engine has started: its line ends before this one
        process.stderr.write(`backend: ${update.run.backend}\n`)
      }
    }
    if (update.type !== 'metrics' || update.runId !== runId) return
    const losses = update.points.filter((p) => p.key === 'loss')
    const last = losses[losses.length - 1]
    if (!last) return
    if (firstStep === null) {
      phases.show(null) // the phases before the first step are over
      firstStep = losses[0]?.step ?? last.step
      firstWall = losses[0]?.wallMs ?? 0
      bar = progressBar(label, total, firstStep - 1)
    }
    lastStep = last.step
    lastWall = last.wallMs ?? lastWall
    bar?.update(last.step, { loss: last.value.toPrecision(4) })
  })
  // The run was launched before this subscription: its phase so far (the engine starting).
  phases.show(service.get(runId).phase ?? null)
  const onSignal = () => {
    process.stderr.write(`\nstopping run ${runId} (a checkpoint is kept)...\n`)
    try {
      service.cancel(runId)
    } catch {
      // Already ending.
    }
  }
  process.once('SIGINT', onSignal)
  try {
    await service.whenIdle()
  } finally {
    process.removeListener('SIGINT', onSignal)
    off()
    ;(bar as Progress | null)?.stop()
    phases.stop()
  }
  const steps = firstStep === null ? 0 : lastStep - firstStep
  return { msPerStep: steps > 0 ? (lastWall - firstWall) / steps : 0 }
}
