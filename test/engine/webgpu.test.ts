/**
 * #18: the webgpu backend computes what cpu computes. Real WebGPU (Dawn from the `webgpu` package) on
 * whatever adapter the machine has: in CI Mesa's lavapipe (software Vulkan, Debian bookworm-backports'
 * mesa-vulkan-drivers), on a GPU machine the GPU. The same teacher, CD (Heun) and CT runs, 20 steps each,
 * on a 2D MLP and a small U-Net, start from the same weights and draw the same batches on both backends;
 * their losses, weights and samples agree within float tolerance, and no step leaks a tensor.
 * Skipped, saying why, only where no adapter exists; under CI=true a missing adapter fails instead.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { selectBackend } from '../../src-main/engine/backend'
import { probeAdapter } from '../../src-main/engine/backend-webgpu'
import type { DataSource } from '../../src-main/engine/data-source'
import { Distiller } from '../../src-main/engine/distiller'
import { consistencySample, teacherSample } from '../../src-main/engine/samplers'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { loadTeacherModel } from '../../src-main/engine/teacher-model'
import { pickArrays } from '../../src-main/engine/snapshot'
import { tf } from '../../src-main/engine/tf'
import type { WeightArrays } from '../../src-main/engine/weights'
import { Rng } from '@shared/rng'
import { SMALL_TEACHER } from '../helpers/engine'
import { TINY_UNET_TEACHER, tinyDistillConfig, tinyImageData } from '../helpers/tiny-images'

const probe = await probeAdapter()
const missing = typeof probe === 'string' ? probe : null
if (missing) {
  if (process.env.CI === 'true')
    throw new Error(
      `#18 CI must run the webgpu backend, but ${missing} (install mesa-vulkan-drivers from bookworm-backports)`,
    )
  console.warn(`#18 webgpu tests skipped: ${missing}`)
}

const STEPS = 20

interface Outcome {
  losses: number[]
  weights: WeightArrays
  samples: Float32Array[]
  leaked: number
}

/** Relative difference of two arrays, scaled by the larger's RMS (robust to values near zero). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let num = 0
  let den = 0
  for (let i = 0; i < a.length; i++) {
    num += ((a[i] as number) - (b[i] as number)) ** 2
    den += Math.max((a[i] as number) ** 2, (b[i] as number) ** 2)
  }
  return Math.sqrt(num / Math.max(den, 1e-30))
}

function expectClose(got: Outcome, want: Outcome, tolerance: number): void {
  expect(got.losses).toHaveLength(STEPS)
  expect(relDiff(got.losses, want.losses)).toBeLessThan(tolerance)
  for (const name of Object.keys(want.weights))
    expect(
      relDiff(got.weights[name]?.data ?? [], (want.weights[name] as { data: Float32Array }).data),
      name,
    ).toBeLessThan(tolerance)
  got.samples.forEach((s, i) => expect(relDiff(s, want.samples[i] as Float32Array)).toBeLessThan(tolerance))
  expect(got.leaked).toBe(0)
}

/** Trains a teacher STEPS steps on `backend`, then samples it (DDIM K = 10) from fixed noise. */
async function teacherRun(backend: 'cpu' | 'webgpu', config: TeacherConfig, data?: DataSource): Promise<Outcome> {
  await selectBackend(backend)
  const trainer = new TeacherTrainer(config, backend, undefined, data)
  const losses: number[] = []
  const take = (r: Array<{ loss: number }>) => r.forEach((x) => losses.push(x.loss))
  take(await trainer.trainStep())
  take(await trainer.settle())
  const before = tf.memory().numTensors
  for (let i = 1; i < STEPS; i++) take(await trainer.trainStep())
  take(await trainer.settle())
  const leaked = tf.memory().numTensors - before
  const weights = pickArrays('teacher', (await trainer.snapshot()).arrays)
  const { architecture, schedule } = trainer.model
  const noise = Rng.fromSeed(4).normals(8 * architecture.dim)
  const sample = await teacherSample(trainer.model.weights, architecture, schedule, noise, 10, 'ddim')
  trainer.dispose()
  return { losses, weights, samples: [sample.points], leaked }
}

/** Distils STEPS steps from the same teacher weights on `backend`, then samples the student in 1 and 2 steps. */
async function distillRun(
  backend: 'cpu' | 'webgpu',
  teacherConfig: TeacherConfig,
  teacherArrays: WeightArrays,
  config: DistillConfig,
  data?: DataSource,
): Promise<Outcome> {
  await selectBackend(backend)
  const teacher = loadTeacherModel(teacherConfig, teacherArrays, data)
  const distiller = new Distiller(config, teacher, backend, undefined, data)
  const losses: number[] = []
  const take = (r: Array<{ loss: number }>) => r.forEach((x) => losses.push(x.loss))
  take(await distiller.trainStep())
  take(await distiller.settle())
  const before = tf.memory().numTensors
  for (let i = 1; i < STEPS; i++) take(await distiller.trainStep())
  take(await distiller.settle())
  const leaked = tf.memory().numTensors - before
  const weights = pickArrays('student', (await distiller.snapshot()).arrays)
  const { architecture, schedule } = teacher
  const n = 8
  const noise = Rng.fromSeed(5).normals(n * architecture.dim)
  const renoise = Rng.fromSeed(6).normals(n * architecture.dim)
  const top = distiller.trainedSteps().at(-1) as number
  const mid = distiller.trainedSteps()[1] as number
  const samples: Float32Array[] = []
  for (const levels of [[], [mid]]) {
    const s = await consistencySample(
      distiller.student,
      architecture,
      schedule,
      noise,
      [renoise],
      levels,
      0.5,
      true,
      top,
    )
    samples.push(s.points)
  }
  distiller.dispose()
  teacher.weights.dispose()
  return { losses, weights, samples, leaked }
}

afterAll(async () => {
  await selectBackend('cpu')
})

describe.skipIf(missing !== null)('#18 webgpu agrees with cpu', () => {
  it('#18 reports its adapter', async () => {
    const info = await selectBackend('webgpu')
    expect(info.name).toBe('webgpu')
    expect(info.tfBackend).toBe('webgpu')
    expect(info.adapter).not.toBeNull()
    expect(info.label).toMatch(/^webgpu \(.+, (software|hardware)\)$/)
    console.log(`#18 webgpu adapter: ${info.label}`)
    // Importing tfjs-backend-webgpu registers its naive filter gradient over ours; selecting it puts ours back.
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc).toBe(
      tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc,
    )
  })

  const teacher2d = parseTeacherConfig({ ...SMALL_TEACHER, steps: STEPS, ema: 0.9 })

  it('#18 2D MLP: teacher (with EMA), CD Heun and CT over 20 steps, and the samplers', async () => {
    const want = await teacherRun('cpu', teacher2d)
    const got = await teacherRun('webgpu', teacher2d)
    expectClose(got, want, 1e-3)
    for (const algorithm of ['cd', 'ct'] as const) {
      const config = parseDistillConfig({ batch: 32, steps: STEPS, numScales: 10, algorithm, solver: 'heun' })
      const cpu = await distillRun('cpu', teacher2d, want.weights, config)
      const gpu = await distillRun('webgpu', teacher2d, want.weights, config)
      expectClose(gpu, cpu, 1e-3)
    }
  }, 120_000)

  it('#18 small U-Net: teacher, CD Heun and CT over 20 steps, and the samplers', async () => {
    const data = tinyImageData()
    const config = parseTeacherConfig({ ...TINY_UNET_TEACHER, steps: STEPS })
    const want = await teacherRun('cpu', config, data)
    const got = await teacherRun('webgpu', config, data)
    expectClose(got, want, 1e-3)
    for (const algorithm of ['cd', 'ct'] as const) {
      const distill = tinyDistillConfig({ steps: STEPS, algorithm, solver: 'heun' })
      const cpu = await distillRun('cpu', config, want.weights, distill, data)
      const gpu = await distillRun('webgpu', config, want.weights, distill, data)
      expectClose(gpu, cpu, 1e-3)
    }
  }, 600_000)
})
