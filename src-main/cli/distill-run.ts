/**
 * The running half of `clab distill`: the run goes through the RunService like every other face of the
 * app, so it is recorded in the run history (the data folder) and its engine runs in a child process.
 */
import { basename, join } from 'node:path'
import { findRow, metricsByName } from '@shared/cd/evaluation'
import { effectiveValues } from '@shared/config/effective'
import type { DistillConfig } from '@shared/config/schemas'
import { ConfigError } from '@shared/config/validate'
import { runPaths } from '../store'
import { exportEntries, writeCliExport } from '../files/export-run'
import { lstatOrNull } from '../files/safe-fs'
import { MAX_RUN_FILE_BYTES } from '../services/run-folder'
import { DISTILL_FLAGS, EXIT_FAILED, EXIT_OK, usageFromConfigError } from './args'
import type { DistillOptions } from './distill-command'
import { checkExportFlag, underExportFlag } from './export-flag'
import { finalEvaluation, openHistory } from './history'
import { followRun } from './follow-run'
import { warnVerdict } from './verdict-line'
import { evaluationTable, printResult } from './report'
import { evaluatedTeacherWarningLine, teacherWarningLine } from './teacher-quality-text'
import { runPictures } from './run-pictures'
import { whereToLook } from './where-to-look'

export async function runDistillCommand(config: DistillConfig, options: DistillOptions): Promise<number> {
  const { store, service } = openHistory(options)
  try {
    // --export may be any folder but the data folder's own (a run's samples folder would be overwritten).
    if (options.export) checkExportFlag(store.paths.root, options.export, '--export')
    let run
    try {
      run = await service.startDistill(config, { tags: options.tag ?? [] })
    } catch (error) {
      if (error instanceof ConfigError) throw usageFromConfigError(error, DISTILL_FLAGS)
      throw error
    }
    // The values it trains with (iCT: mu 0 and inverse-gap whatever it asked), the asked one beside them.
    const trains = effectiveValues(config)
    const asked = (field: 'targetEma' | 'weighting') =>
      trains[field] === config[field] ? '' : ` (asked ${config[field]})`
    process.stderr.write(
      `run ${run.id}: distill ${config.algorithm} on ${config.dataset}: N=${config.numScales} mu=${trains.targetEma}${asked('targetEma')} evalEma=${config.evalEma} ` +
        `lr=${config.lr} (${config.lrSchedule}) batch=${config.batch} steps=${config.steps} loss=${config.loss} weighting=${trains.weighting}${asked('weighting')} solver=${config.solver} substeps=${config.teacherSubsteps} top-share=${config.topPairShare} top-target=${trains.topPairTarget}${trains.topPairReplay ? ` top-replay=${trains.topPairReplay}` : ''} sigma-max=${config.sigmaMax ?? 'last'} seed=${config.seed}\n`,
    )
    // #17: a teacher that has not learned its data caps what the student can reach.
    const warning = teacherWarningLine(service.teachers.qualityForSpec(config.teacher, config.dataset))
    if (warning) process.stderr.write(`${warning}\n`)
    return await reportDistillRun(run.id, options, store, service)
  } finally {
    await service.close()
    store.close()
  }
}

/** Follows a queued distillation to its end, then prints and exports what it produced. */
export async function reportDistillRun(
  runId: string,
  options: { json?: boolean; export?: string; dataDir?: string },
  store: ReturnType<typeof openHistory>['store'],
  service: ReturnType<typeof openHistory>['service'],
): Promise<number> {
  const outcome = await followRun(runId, store, service, 'distill')
  const run = store.runs.getRun(runId)
  if (run.status !== 'finished') {
    process.stderr.write(`clab distill: run ${runId} ${run.status}${run.error ? `: ${run.error}` : ''}\n`)
    if (run.status === 'cancelled' || run.status === 'failed')
      process.stderr.write(`continue it with: clab runs resume ${runId}\n`)
    return EXIT_FAILED
  }
  const config = run.config as DistillConfig
  const final = finalEvaluation(store, runId)
  const rows = final?.rows ?? []
  const metrics = metricsByName(rows)
  const teacher100 = findRow(rows, 'teacher', 100)
  const student1 = findRow(rows, 'student', 1)
  const loss = store.metrics.lastMetrics(runId).loss
  const summary = {
    command: 'distill',
    runId,
    backend: run.backend,
    dataset: config.dataset,
    algorithm: config.algorithm,
    teacher: config.teacher,
    steps: loss?.step ?? 0,
    msPerStep: outcome.msPerStep,
    lastLoss: loss?.value ?? null,
    verdict: run.verdict ?? null,
    verdictReason: run.verdictReason ?? null,
    metrics,
    agreement: { nfe1: final?.agreement ?? null },
    swdRatioStudent1ToTeacher100: student1 && teacher100 ? student1.swd / teacher100.swd : null,
    dataDir: store.paths.root,
    pictures: await runPictures(runPaths(store.paths.root, runId).samples, store.samples.listSamples(runId)),
    exported: [] as string[],
  }
  if (options.export) {
    const entries = exportEntries({
      json: {
        'config.json': { ...config, runId, backend: run.backend },
        'metrics.json': {
          runId,
          backend: run.backend,
          // What was asked and what trained (iCT's mu 0 whatever it asked), so the numbers below say what ran.
          config: run.config,
          effectiveConfig: run.effectiveConfig,
          step: summary.steps,
          msPerStep: outcome.msPerStep,
          lastLoss: summary.lastLoss,
          evaluations: metrics,
          agreement: summary.agreement,
          rows,
        },
      },
      csv: {},
    })
    // The engine wrote the sample CSVs (same seeded noise for teacher and student) into the run folder; image
    // runs also leave the teacher | 1-step | 2-step | |difference| grid (compare.png) beside the sample grids.
    const samplesDir = runPaths(store.paths.root, runId).samples
    const names = [...store.samples.listSamples(runId).map((sample) => sample.path?.split('/').pop()), 'compare.png']
    for (const name of names) {
      if (name && !entries.has(name) && lstatOrNull(join(samplesDir, name))?.isFile())
        entries.set(name, { from: join(samplesDir, name), max: MAX_RUN_FILE_BYTES })
    }
    // The pictures drawn from a 2D run's CSVs too, as `clab runs export` writes them beside the numbers (#19).
    for (const path of summary.pictures) {
      const name = basename(path)
      if (!entries.has(name)) entries.set(name, { from: path, max: MAX_RUN_FILE_BYTES })
    }
    const dir = options.export
    summary.exported = underExportFlag('--export', () => writeCliExport(store.paths.root, dir, entries))
  }
  const text = [
    evaluationTable(rows),
    `teacher-student agreement (1 step vs teacher K=100): ${final?.agreement?.toFixed(4) ?? '-'}`,
    summary.swdRatioStudent1ToTeacher100 !== null
      ? `sliced W ratio, student 1 step / teacher 100 steps: ${summary.swdRatioStudent1ToTeacher100.toFixed(2)}`
      : '',
    `${outcome.msPerStep.toFixed(2)} ms per training step on ${run.backend}`,
    `run ${runId} "${run.name ?? runId}" recorded in ${store.paths.root}`,
    ...(summary.exported.length ? [`exported: ${summary.exported.join(', ')}`] : []),
    ...whereToLook(summary.pictures, options.dataDir),
  ]
    .filter(Boolean)
    .join('\n')
  printResult(text, summary, options.json)
  warnVerdict(run)
  // #17: a teacher with stored figures was warned about in the header; one given by path only now, by the
  // run's own measurement of it.
  if (!service.teachers.qualityForSpec(config.teacher, config.dataset)) {
    const warning = evaluatedTeacherWarningLine(teacher100?.precision, findRow(rows, 'data', 0)?.precision)
    if (warning) process.stderr.write(`${warning}\n`)
  }
  return EXIT_OK
}
