/** The running half of `clab teacher`: trains, evaluates and writes the teacher. */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { metricsByName } from '@shared/cd/evaluation'
import type { TeacherConfig } from '@shared/config/schemas'
import { selectBackend } from '../engine/backend'
import { NonFiniteLossError } from '../engine/distiller'
import { runTeacherTraining } from '../engine/run-teacher'
import { writeCheckpoint } from '../files/checkpoint-file'
import { writeExport } from '../files/export-run'
import { EXIT_FAILED, EXIT_OK } from './args'
import { progressBar } from './progress'
import { evaluationTable } from './report'
import type { TeacherOptions } from './teacher-command'

export async function runTeacherCommand(config: TeacherConfig, options: TeacherOptions): Promise<number> {
  const out = resolve(options.out ?? `teacher-${config.dataset}-seed${config.seed}`)
  const backend = await selectBackend(config.backend)
  process.stderr.write(`backend: ${backend.name}${backend.skipped.length ? ` (skipped: ${backend.skipped.join('; ')})` : ''}\n`)
  mkdirSync(out, { recursive: true })
  const checkpointPath = join(out, 'teacher.ckpt')
  const bar = progressBar('teacher', config.steps)
  let outcome
  try {
    outcome = await runTeacherTraining(config, backend.name, {
      onStep: (r) => bar.update(r.step, { loss: r.loss.toPrecision(4) }),
      checkpointEvery: 1000,
      onCheckpoint: (snapshot) => writeCheckpoint(checkpointPath, snapshot),
    })
  } catch (error) {
    bar.stop()
    if (error instanceof NonFiniteLossError) {
      process.stderr.write(`clab teacher: ${error.message}\n`)
      return EXIT_FAILED
    }
    throw error
  }
  bar.stop()
  writeCheckpoint(checkpointPath, outcome.snapshot)
  const metrics = metricsByName(outcome.rows)
  const written = writeExport(out, {
    json: { 'teacher.json': { config, backend: backend.name, steps: config.steps, msPerStep: outcome.msPerStep, lastLoss: outcome.lastLoss, evaluations: metrics } },
    csv: {},
  })
  const summary = { command: 'teacher', backend: backend.name, dataset: config.dataset, checkpoint: checkpointPath, files: [checkpointPath, ...written], msPerStep: outcome.msPerStep, lastLoss: outcome.lastLoss, metrics }
  const text = `${evaluationTable(outcome.rows)}\n${outcome.msPerStep.toFixed(2)} ms per training step on ${backend.name}\nteacher written to ${checkpointPath}`
  if (options.json) {
    process.stderr.write(`${text}\n`)
    process.stdout.write(`${JSON.stringify(summary)}\n`)
  } else {
    process.stdout.write(`${text}\n`)
  }
  return EXIT_OK
}
