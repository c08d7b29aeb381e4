/** The running half of `clab teacher`: trains through the RunService (recorded in the history). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { metricsByName } from '@shared/cd/evaluation'
import type { TeacherConfig } from '@shared/config/schemas'
import { exportEntries, writeCliExport, writeExport, type ExportEntry } from '../files/export-run'
import { MAX_TEACHER_BYTES } from '../files/teacher-file'
import { runPaths } from '../store'
import { EXIT_FAILED, EXIT_OK } from './args'
import { checkExportFlag, underExportFlag } from './export-flag'
import { followRun } from './follow-run'
import { finalEvaluation, openHistory } from './history'
import { evaluationTable, printResult } from './report'
import { warnVerdict } from './verdict-line'
import type { TeacherOptions } from './teacher-command'

export async function runTeacherCommand(config: TeacherConfig, options: TeacherOptions): Promise<number> {
  const { store, service } = openHistory(options)
  try {
    // --out may be any folder but the data folder's own (another teacher's folder would lose its weights).
    const out = options.out ? checkExportFlag(store.paths.root, options.out, '--out') : undefined
    const run = service.startTeacher(
      config,
      typeof options.evalSamples === 'number' ? { evalSamples: options.evalSamples } : {},
    )
    process.stderr.write(
      `run ${run.id}: teacher on ${config.dataset}, T=${config.numSteps} ${config.betaSchedule} betas, ${config.steps} steps, seed ${config.seed}\n`,
    )
    const outcome = await followRun(run.id, store, service, 'teacher')
    const done = store.runs.getRun(run.id)
    if (done.status !== 'finished') {
      process.stderr.write(`clab teacher: run ${run.id} ${done.status}${done.error ? `: ${done.error}` : ''}\n`)
      return EXIT_FAILED
    }
    const checkpoint = join(runPaths(store.paths.root, run.id).dir, 'teacher.ckpt')
    if (!existsSync(checkpoint)) throw new Error(`teacher run ${run.id} finished without ${checkpoint}`)
    const final = finalEvaluation(store, run.id)
    const rows = final?.rows ?? []
    const metrics = metricsByName(rows)
    const loss = store.metrics.lastMetrics(run.id).loss
    const record = {
      runId: run.id,
      config,
      backend: done.backend,
      steps: config.steps,
      msPerStep: outcome.msPerStep,
      lastLoss: loss?.value ?? null,
      evaluations: metrics,
    }
    const files = [
      checkpoint,
      ...writeExport(runPaths(store.paths.root, run.id).dir, { json: { 'teacher.json': record }, csv: {} }),
    ]
    if (out) {
      const entries = new Map<string, ExportEntry>([
        ['teacher.ckpt', { from: checkpoint, max: MAX_TEACHER_BYTES }],
        ...exportEntries({ json: { 'teacher.json': record }, csv: {} }),
      ])
      files.push(...underExportFlag('--out', () => writeCliExport(store.paths.root, out, entries)))
    }
    const summary = {
      command: 'teacher',
      runId: run.id,
      teacherId: run.id,
      backend: done.backend,
      dataset: config.dataset,
      checkpoint: out ? join(out, 'teacher.ckpt') : checkpoint,
      files,
      msPerStep: outcome.msPerStep,
      lastLoss: record.lastLoss,
      metrics,
    }
    const text = `${evaluationTable(rows)}\n${outcome.msPerStep.toFixed(2)} ms per training step on ${done.backend}\nteacher ${run.id} written to ${summary.checkpoint} (use it with --teacher ${summary.checkpoint})`
    printResult(text, summary, options.json)
    warnVerdict(done)
    return EXIT_OK
  } finally {
    await service.close()
    store.close()
  }
}
