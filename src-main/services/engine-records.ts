/**
 * What an engine reports, written into the run history: status changes, metric points (loss, lr, preview
 * quality), checkpoints, evaluations (and their summary series), final samples and live previews. The run
 * service owns the side effects around it (status events, throttled metric updates, teacher registration).
 */
import { join, relative } from 'node:path'
import { findRow, SUPPORT_METRICS } from '@shared/cd/evaluation'
import type { EngineMessage } from '@shared/ipc/engine-messages'
import type { MetricPoint, Run, RunStatus } from '@shared/store/types'
import { runPaths, type EvaluationInput, type LabStore } from '../store'
import { pointsToBlob } from '../files/sample-points'
import type { RunUpdate } from './run-service'
import { recordVerdict } from './run-verdict'

/** What recording needs from the run service. */
export interface RecordSink {
  store: LabStore
  setStatus(id: string, status: RunStatus, error?: string): Run
  /** Stores points and queues them for the next throttled update. */
  recordPoints(id: string, points: MetricPoint[]): void
  broadcast(update: RunUpdate): void
  /** Sends pending metric points now (before a terminal status, so subscribers see every point first). */
  flush(): void
  /** A finished teacher run's checkpoint joins the history's teachers. */
  registerTrained(runId: string, checkpointPath: string): void
}

export function recordEngineMessage(sink: RecordSink, id: string, evalSeed: number, message: EngineMessage): void {
  const { store } = sink
  switch (message.type) {
    case 'started':
      store.runs.setBackend(id, message.backend)
      sink.setStatus(id, 'running')
      break
    case 'metrics': {
      const points: MetricPoint[] = []
      for (const p of message.points) {
        const wallMs = Math.round(p.wallMs)
        points.push(
          { key: 'loss', step: p.step, value: p.loss, wallMs },
          { key: 'lr', step: p.step, value: p.lr, wallMs },
        )
      }
      sink.recordPoints(id, points)
      break
    }
    case 'checkpoint':
      store.checkpoints.addCheckpoint(id, {
        step: message.step,
        path: relative(runPaths(store.paths.root, id).dir, message.path),
        bytes: message.bytes,
      })
      break
    case 'evaluation': {
      const items: EvaluationInput[] = message.rows.flatMap((row) => [
        ...(['swd', 'energy', 'mmd', 'msPerSample'] as const).map((metric) => ({
          step: message.step,
          metric,
          model: row.model,
          nfe: row.nfe,
          value: row[metric],
        })),
        // Image runs: the Fréchet distance in the dataset classifier's features.
        ...(row.fd !== undefined
          ? [{ step: message.step, metric: 'fd', model: row.model, nfe: row.nfe, value: row.fd }]
          : []),
        ...(row.agreement !== undefined
          ? [{ step: message.step, metric: 'agreement', model: row.model, nfe: row.nfe, value: row.agreement }]
          : []),
        // Precision, recall, density, coverage, off-support share (#17), where measured.
        ...SUPPORT_METRICS.flatMap((metric) => {
          const value = row[metric]
          return value === undefined ? [] : [{ step: message.step, metric, model: row.model, nfe: row.nfe, value }]
        }),
      ])
      // Engines that report the one-step agreement only in `agreement` (older checkpoints' runs resumed).
      if (
        message.agreement !== null &&
        !items.some((e) => e.metric === 'agreement' && e.model === 'student' && e.nfe === 1)
      ) {
        items.push({ step: message.step, metric: 'agreement', model: 'student', nfe: 1, value: message.agreement })
      }
      store.evaluations.addEvaluations(id, items)
      // The final one- and two-step quality (and for images the Fréchet distance), and the teacher-student
      // agreement, as series, so run lists show them as last values.
      const finals = [1, 2].flatMap((nfe) => {
        const row = findRow(message.rows, 'student', nfe)
        if (!row) return []
        return [
          { key: `eval/swd_nfe${nfe}`, step: message.step, value: row.swd },
          ...(row.fd !== undefined ? [{ key: `eval/fd_nfe${nfe}`, step: message.step, value: row.fd }] : []),
          ...(row.precision !== undefined
            ? [{ key: `eval/prec_nfe${nfe}`, step: message.step, value: row.precision }]
            : []),
        ]
      })
      if (message.agreement !== null && message.rows.some((r) => r.model === 'student'))
        finals.push({ key: 'eval/agreement_nfe1', step: message.step, value: message.agreement })
      if (finals.length > 0) store.metrics.appendMetrics(id, finals)
      break
    }
    case 'samples': {
      const sample = store.samples.addSample(id, {
        step: message.step,
        nfe: message.nfe,
        kind: message.kind ?? 'csv2d',
        model: message.model,
        role: 'final',
        noiseSeed: evalSeed,
        path: relative(runPaths(store.paths.root, id).dir, message.path),
      })
      sink.broadcast({ type: 'sample', runId: id, sample })
      break
    }
    case 'preview': {
      const sample = message.imagePath
        ? store.samples.addSample(id, {
            step: message.step,
            nfe: message.nfe,
            kind: 'png',
            model: message.model,
            role: 'preview',
            noiseSeed: message.noiseSeed,
            path: relative(runPaths(store.paths.root, id).dir, message.imagePath),
          })
        : store.samples.addSample(id, {
            step: message.step,
            nfe: message.nfe,
            kind: 'points2d',
            model: message.model,
            role: 'preview',
            noiseSeed: message.noiseSeed,
            data: pointsToBlob(message.points),
          })
      if (message.swd !== null) {
        sink.recordPoints(id, [
          { key: `swd/nfe${message.nfe}`, step: message.step, value: message.swd, wallMs: Math.round(message.wallMs) },
        ])
      }
      if (message.precision !== undefined) {
        sink.recordPoints(id, [
          {
            key: `prec/nfe${message.nfe}`,
            step: message.step,
            value: message.precision,
            wallMs: Math.round(message.wallMs),
          },
        ])
      }
      sink.broadcast({ type: 'sample', runId: id, sample })
      break
    }
    case 'paused':
      sink.setStatus(id, 'paused')
      break
    case 'resumed':
      sink.setStatus(id, 'running')
      break
    case 'finished':
      sink.flush()
      if (store.runs.getRun(id).kind === 'teacher')
        sink.registerTrained(id, join(runPaths(store.paths.root, id).dir, 'teacher.ckpt'))
      recordVerdict(store, id)
      sink.setStatus(id, 'finished')
      break
    case 'cancelled':
      sink.flush()
      sink.setStatus(id, 'cancelled')
      break
    case 'failed':
      sink.flush()
      sink.setStatus(id, 'failed', `${message.error.code}: ${message.error.message}`)
      break
    default:
      break
  }
}
