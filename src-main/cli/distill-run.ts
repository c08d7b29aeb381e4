/** The running half of `clab distill`: loads the teacher and the engine, trains, reports, exports. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { findRow, metricsByName } from '@shared/cd/evaluation'
import type { DistillConfig } from '@shared/config/schemas'
import { selectBackend } from '../engine/backend'
import { NonFiniteLossError } from '../engine/distiller'
import { runDistillation } from '../engine/run-distill'
import type { DistillHeader, Snapshot } from '../engine/snapshot'
import { CheckpointError, writeCheckpoint } from '../files/checkpoint-file'
import { writeExport } from '../files/export-run'
import { readTeacherFile, TeacherFileError, teacherFromFile } from '../files/teachers'
import { EXIT_FAILED, EXIT_OK, UsageError } from './args'
import type { DistillOptions } from './distill-command'
import { progressBar } from './progress'
import { evaluationTable } from './report'

export async function runDistillCommand(config: DistillConfig, options: DistillOptions, resume: Snapshot<DistillHeader> | null): Promise<number> {
  let teacherFile
  try {
    teacherFile = readTeacherFile(config.teacher, config.dataset)
  } catch (error) {
    if (error instanceof TeacherFileError || error instanceof CheckpointError) throw new UsageError(`--teacher: ${error.message}`)
    throw error
  }
  const backend = await selectBackend(config.backend)
  const teacher = teacherFromFile(teacherFile)
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
        // Without a folder there is nowhere to keep checkpoints, so none are made.
        onCheckpoint: checkpointDir ? (snapshot) => writeCheckpoint(join(checkpointDir, 'latest.ckpt'), snapshot) : undefined,
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
  if (outcome.status === 'stopped' || !outcome.final || !outcome.reference) {
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
