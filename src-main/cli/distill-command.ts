import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { findRow, metricsByName } from '@shared/cd/evaluation'
import { PRESETS, type PresetName } from '@shared/config/presets'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import { selectBackend } from '../engine/backend'
import { NonFiniteLossError } from '../engine/distiller'
import { runDistillation } from '../engine/run-distill'
import type { DistillHeader, Snapshot } from '../engine/snapshot'
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../files/checkpoint-file'
import { writeExport } from '../files/export-run'
import { loadTeacher, TeacherFileError } from '../files/teachers'
import { DISTILL_FLAGS, EXIT_FAILED, EXIT_OK, pickConfig, UsageError, usageFromConfigError } from './args'
import { progressBar } from './progress'
import { evaluationTable } from './report'

export interface DistillOptions extends Record<string, unknown> {
  preset?: string
  resume?: string
  checkpointDir?: string
  export?: string
  json?: boolean
}

function resolveConfig(options: DistillOptions, resume: Snapshot<DistillHeader> | null) {
  if (resume) {
    // A resumed run keeps its config (same seed, same everything); only the total step count may grow.
    const steps = options.steps as number | undefined
    return parseDistillConfig({ ...resume.header.config, ...(steps !== undefined ? { steps } : {}) })
  }
  let presetValues = {}
  if (options.preset !== undefined) {
    if (!(options.preset in PRESETS)) {
      throw new UsageError(`--preset: unknown preset "${options.preset}"; expected one of ${Object.keys(PRESETS).join(', ')}`)
    }
    presetValues = PRESETS[options.preset as PresetName].values
  }
  return parseDistillConfig({ ...presetValues, ...pickConfig(options, DISTILL_FLAGS) })
}

function readResume(path: string): Snapshot<DistillHeader> {
  try {
    const snapshot = readCheckpoint(path)
    if (snapshot.header.kind !== 'distill') throw new UsageError(`--resume: ${path} is a ${snapshot.header.kind} checkpoint, not a distillation`)
    return snapshot as Snapshot<DistillHeader>
  } catch (error) {
    if (error instanceof CheckpointError) throw new UsageError(`--resume: ${error.message}`)
    throw error
  }
}

export async function distillCommand(options: DistillOptions): Promise<number> {
  const resume = options.resume ? readResume(options.resume) : null
  let config
  try {
    config = resolveConfig(options, resume)
  } catch (error) {
    if (error instanceof ConfigError) throw usageFromConfigError(error, DISTILL_FLAGS)
    throw error
  }
  let teacher
  try {
    teacher = loadTeacher(config.teacher, config.dataset)
  } catch (error) {
    if (error instanceof TeacherFileError || error instanceof CheckpointError) throw new UsageError(`--teacher: ${error.message}`)
    throw error
  }
  const backend = await selectBackend(config.backend)
  process.stderr.write(`backend: ${backend.name}${backend.skipped.length ? ` (skipped: ${backend.skipped.join('; ')})` : ''}\n`)
  process.stderr.write(
    `distill ${config.algorithm} on ${config.dataset}: N=${config.numScales} mu=${config.targetEma} evalEma=${config.evalEma} ` +
      `lr=${config.lr} batch=${config.batch} steps=${config.steps} loss=${config.loss} solver=${config.solver} seed=${config.seed}` +
      `${resume ? ` (resumed at step ${resume.header.step})` : ''}\n`,
  )

  const checkpointDir = options.checkpointDir
  if (checkpointDir) mkdirSync(checkpointDir, { recursive: true })
  let stopRequested = false
  const onSignal = () => {
    stopRequested = true
  }
  process.once('SIGINT', onSignal)
  const bar = progressBar('distill', config.steps, resume?.header.step ?? 0)
  let outcome
  try {
    outcome = await runDistillation(
      config,
      teacher.model,
      backend.name,
      {
        onStep: (r) => bar.update(r.step, { loss: r.loss.toPrecision(4) }),
        onCheckpoint: (snapshot) => {
          if (checkpointDir) writeCheckpoint(join(checkpointDir, 'latest.ckpt'), snapshot)
        },
        shouldStop: () => stopRequested,
      },
      resume ?? undefined,
    )
  } catch (error) {
    bar.stop()
    if (error instanceof NonFiniteLossError) {
      process.stderr.write(`clab distill: ${error.message}${checkpointDir ? ` (${join(checkpointDir, 'latest.ckpt')})` : ''}\n`)
      return EXIT_FAILED
    }
    throw error
  } finally {
    process.removeListener('SIGINT', onSignal)
    teacher.model.weights.dispose()
  }
  bar.stop()
  if (outcome.status === 'stopped' || !outcome.final) {
    process.stderr.write(`stopped at step ${outcome.step}${checkpointDir ? `; resume with --resume ${join(checkpointDir, 'latest.ckpt')}` : ''}\n`)
    return EXIT_FAILED
  }

  const final = outcome.final
  const metrics = metricsByName(final.rows)
  const teacher100 = findRow(final.rows, 'teacher', 100)
  const student1 = findRow(final.rows, 'student', 1)
  const summary = {
    command: 'distill',
    backend: backend.name,
    dataset: config.dataset,
    algorithm: config.algorithm,
    teacher: teacher.path,
    steps: outcome.step,
    msPerStep: outcome.msPerStep,
    lastLoss: outcome.lastLoss,
    metrics,
    agreement: { nfe1: final.agreement },
    swdRatioStudent1ToTeacher100: student1 && teacher100 ? student1.swd / teacher100.swd : null,
    exported: [] as string[],
  }
  if (options.export) {
    const csv: Record<string, { points: Float32Array; dim: number }> = {
      'data.csv': { points: outcome.reference.heldOut, dim: 2 },
      'teacher-k100.csv': { points: outcome.reference.k100, dim: 2 },
    }
    for (const [nfe, points] of final.samples) csv[`student-nfe${nfe}.csv`] = { points, dim: 2 }
    summary.exported = writeExport(options.export, {
      json: {
        'config.json': { ...config, teacherPath: teacher.path, teacherConfig: teacher.header.config, backend: backend.name },
        'metrics.json': { backend: backend.name, step: outcome.step, msPerStep: outcome.msPerStep, lastLoss: outcome.lastLoss, evaluations: metrics, agreement: summary.agreement, rows: final.rows },
      },
      csv,
    })
  }

  const text = [
    evaluationTable(final.rows),
    `teacher-student agreement (1 step vs teacher K=100): ${final.agreement.toFixed(4)}`,
    summary.swdRatioStudent1ToTeacher100 !== null ? `sliced W ratio, student 1 step / teacher 100 steps: ${summary.swdRatioStudent1ToTeacher100.toFixed(2)}` : '',
    `${outcome.msPerStep.toFixed(2)} ms per training step on ${backend.name}`,
    ...(summary.exported.length ? [`exported: ${summary.exported.join(', ')}`] : []),
  ]
    .filter(Boolean)
    .join('\n')
  if (options.json) {
    process.stderr.write(`${text}\n`)
    process.stdout.write(`${JSON.stringify(summary)}\n`)
  } else {
    process.stdout.write(`${text}\n`)
  }
  return EXIT_OK
}
