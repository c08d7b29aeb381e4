/**
 * `npx tsx scripts/teacher-recipe.ts --dataset checkerboard [--set '{"steps":20000}'] [--png out.png]` trains
 * one teacher (the default teacher config with `--set`'s overrides, wasm), or with `--from builtin|<ckpt>`
 * reads one, and scores its DDIM-100 samples
 * against held-out data with the product's metrics: k-NN precision and recall (k = 5), the share of samples
 * off the data's support (16 x 16 grid) and sliced Wasserstein, beside the data-vs-data floor. The measurement
 * behind TEACHER_DEFAULTS (issue 17's goal: precision and recall >= 0.96, <= 3 % off-support).
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import { parseTeacherConfig } from '@shared/config/validate'
import { offSupportShare, supportMetrics } from '@shared/cd/support-metrics'
import { isDataset2D } from '@shared/data/datasets2d'
import { selectBackend } from '../src-main/engine/backend'
import { runTeacherTraining } from '../src-main/trainer-host/teacher-training'
import { scatterPng } from '../src-main/files/scatter-png'
import { dataSource2D } from '../src-main/engine/data-source'
import { evaluationNoise, teacherReference } from '../src-main/engine/evaluate'
import { readTeacherFile, teacherFromFile } from '../src-main/files/teachers'
import { PNG } from 'pngjs'

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'checkerboard' },
    set: { type: 'string', default: '{}' },
    samples: { type: 'string', default: '4000' },
    png: { type: 'string' },
    from: { type: 'string' },
  },
})
const dataset = values.dataset
if (!isDataset2D(dataset)) throw new Error(`--dataset: unknown dataset ${JSON.stringify(dataset)}`)
const backend = await selectBackend('wasm')
const config = parseTeacherConfig({
  ...TEACHER_DEFAULTS,
  dataset,
  backend: backend.name,
  ...(JSON.parse(values.set) as Record<string, unknown>),
})
const n = Number(values.samples)
const started = performance.now()
const { k100, rows, msPerStep } = values.from ? await scoreFile(values.from) : await train()
const seconds = (performance.now() - started) / 1000

async function train() {
  return runTeacherTraining(config, backend.name, {
    evalSamples: n,
    onStep: (r) => {
      if (r.step % 2000 === 0) console.log(`step ${r.step}/${config.steps} loss ${r.loss.toFixed(4)}`)
    },
  })
}

/** A teacher already made: its DDIM-100 samples from the same evaluation noise a teacher run scores. */
async function scoreFile(spec: string) {
  const { model } = teacherFromFile(readTeacherFile(spec, dataset as string))
  const noise = evaluationNoise(model.config.seed, n, 2, 0)
  const reference = await teacherReference(model, dataSource2D(model.config.dataset), model.config.seed, noise, 'ddim')
  return { k100: reference.k100, rows: reference.rows, msPerStep: 0 }
}
const data = dataSource2D(dataset)
const seed = values.from ? 0 : config.seed
const heldOut = data.heldOut(n, seed)
const floor = data.floor(n, seed)
const line = (name: string, points: Float32Array, swd: number | undefined) => {
  const m = supportMetrics(heldOut, points, 2)
  const off = offSupportShare(heldOut, points)
  return `${name.padEnd(14)} precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)} off-support ${(100 * off).toFixed(1)} % swd ${swd?.toFixed(4)}`
}
console.log(`${dataset} ${values.set}: ${seconds.toFixed(0)} s, ${msPerStep.toFixed(2)} ms/step (${backend.name})`)
console.log(line('data (floor)', floor, rows[0]?.swd))
console.log(line('teacher K=100', k100, rows.find((r) => r.model === 'teacher' && r.nfe === 100)?.swd))
if (values.png) {
  // data | teacher, side by side.
  const left = PNG.sync.read(scatterPng(heldOut))
  const right = PNG.sync.read(scatterPng(k100, { background: heldOut }))
  const both = new PNG({ width: left.width + right.width, height: left.height })
  PNG.bitblt(left, both, 0, 0, left.width, left.height, 0, 0)
  PNG.bitblt(right, both, 0, 0, right.width, right.height, left.width, 0)
  writeFileSync(values.png, PNG.sync.write(both))
}
