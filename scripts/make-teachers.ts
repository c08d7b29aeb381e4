/**
 * Regenerates the built-in teachers in resources/teachers/<dataset>.ckpt: one per 2D dataset, the
 * default teacher config, fixed seed, weights only (no optimizer state) so the files stay small.
 * Deterministic for a given backend: the same command gives the same bytes.
 *
 *   npm run make-teachers [-- --steps 8000 --backend wasm --only moons,rings]
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { DATASETS_2D, isDataset2D } from '../src-shared/data/datasets2d'
import { TEACHER_DEFAULTS } from '../src-shared/config/defaults'
import { parseTeacherConfig } from '../src-shared/config/validate'
import type { BackendChoice } from '../src-shared/config/fields'
import { selectBackend } from '../src-main/engine/backend'
import { runTeacherTraining } from '../src-main/engine/run-teacher'
import { writeCheckpoint } from '../src-main/files/checkpoint-file'
import { builtinTeacherPath } from '../src-main/files/teachers'
import { evaluationTable } from '../src-main/cli/report'

/** Steps per built-in teacher: enough for teacher DDIM-100 to sit near the data floor on every set. */
export const BUILTIN_TEACHER_STEPS = 8000
const BUILTIN_TEACHER_SEED = 0

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: String(BUILTIN_TEACHER_STEPS) },
    backend: { type: 'string', default: 'wasm' },
    only: { type: 'string' },
  },
})
const datasets = values.only ? values.only.split(',') : [...DATASETS_2D]
for (const name of datasets) if (!isDataset2D(name)) throw new Error(`--only: unknown dataset ${name}`)
const backend = await selectBackend(values.backend as BackendChoice)
console.log(`backend: ${backend.name}`)
for (const dataset of datasets) {
  const config = parseTeacherConfig({
    ...TEACHER_DEFAULTS,
    dataset,
    steps: Number(values.steps),
    seed: BUILTIN_TEACHER_SEED,
    backend: backend.name,
  })
  const started = performance.now()
  const outcome = await runTeacherTraining(config, backend.name, {
    onStep: (r) => {
      if (r.step % 1000 === 0) console.log(`${dataset}: step ${r.step}/${config.steps} loss ${r.loss.toFixed(4)}`)
    },
  })
  const path = builtinTeacherPath(dataset as (typeof DATASETS_2D)[number])
  mkdirSync(dirname(path), { recursive: true })
  // The shipped file holds weights only; its header records the config and backend it was made with.
  const { snapshot } = outcome
  const weightsOnly = {
    header: { ...snapshot.header, rng: null, adamStep: null },
    arrays: Object.fromEntries(Object.entries(snapshot.arrays).filter(([k]) => k.startsWith('teacher/'))),
  }
  writeCheckpoint(path, weightsOnly)
  console.log(
    `${dataset}: ${((performance.now() - started) / 1000).toFixed(0)} s, ${outcome.msPerStep.toFixed(2)} ms/step -> ${path}`,
  )
  console.log(evaluationTable(outcome.rows))
}
