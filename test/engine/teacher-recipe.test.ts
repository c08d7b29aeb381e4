/**
 * #17 The teacher recipe's parts: Fourier features of the MLP input, the weight EMA the teacher samples
 * from, the warm-up + cosine learning rate, and older teachers reading the new fields with the values they
 * were made with.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { evalEmaDecayAt } from '@shared/cd/training-schedules'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import { completeStoredTeacherConfig } from '@shared/config/stored'
import { parseTeacherConfig } from '@shared/config/validate'
import { Rng } from '@shared/rng'
import { mlpSpecOf } from '../../src-main/engine/architecture'
import {
  fourierFeatureColumns,
  fourierFeaturesOf,
  fourierFrequencies,
  layerShapes,
  mlpForward,
} from '../../src-main/engine/mlp'
import { TeacherTrainer, drawStep, teacherLearningRate } from '../../src-main/engine/teacher-trainer'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import type { WeightArrays } from '../../src-main/engine/weights'
import { writeCheckpoint } from '../../src-main/files/checkpoint-file'
import { readTeacherFile } from '../../src-main/files/teachers'
import { SMALL_TEACHER, useCpu } from '../helpers/engine'

beforeAll(useCpu)

const tiny = (overrides: Record<string, unknown> = {}) =>
  parseTeacherConfig({ ...TEACHER_DEFAULTS, ...SMALL_TEACHER, dataset: 'checkerboard', ...overrides })

/** Any trainer API generation: snapshot() may hand back the snapshot or a promise of it. */
async function arraysOf(trainer: TeacherTrainer): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
  return (await trainer.snapshot()).arrays
}

describe('#17 older teachers read the new fields with the values they were made with', () => {
  const oldConfig = (): Record<string, unknown> => {
    const config: Record<string, unknown> = { ...tiny() }
    for (const key of ['fourierFeatures', 'fourierMaxFrequency', 'ema', 'warmupSteps', 'stepPower']) delete config[key]
    return config
  }

  it('a stored config without them reads with no Fourier features, no EMA and the 200-step warm-up', () => {
    const config = parseTeacherConfig(completeStoredTeacherConfig(oldConfig()))
    expect(config.fourierFeatures).toBe(0)
    expect(config.ema).toBe(0)
    expect(config.warmupSteps).toBe(200)
    expect(config.stepPower).toBe(1)
    // The network is the one before: [x, time embedding] into the first layer.
    const spec = mlpSpecOf(config, 2)
    expect(fourierFeaturesOf(spec)).toBeNull()
    expect(layerShapes(spec)[0]).toEqual([2 + config.timeEmbeddingDim, config.hiddenWidth])
  })

  it('a teacher file written before them opens, with its weights', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clab-old-teacher-'))
    try {
      const config = parseTeacherConfig(oldConfig())
      const arrays: WeightArrays = {}
      layerShapes(mlpSpecOf(config, 2)).forEach(([a, b], i) => {
        arrays[`teacher/layer${i}.W`] = { shape: [a, b], data: new Float32Array(a * b).fill(0.01) }
        arrays[`teacher/layer${i}.b`] = { shape: [b], data: new Float32Array(b) }
      })
      const path = join(dir, 'old.ckpt')
      const header = { kind: 'teacher', config: oldConfig(), step: 20, rng: null, adamStep: null, backend: 'cpu' }
      writeCheckpoint(path, { header, arrays } as unknown as Parameters<typeof writeCheckpoint>[1])
      const file = readTeacherFile(path, 'checkerboard')
      expect(file.snapshot.header.config.fourierFeatures).toBe(0)
      expect(file.snapshot.header.config.ema).toBe(0)
      expect(file.snapshot.header.config.warmupSteps).toBe(200)
      expect(file.snapshot.header.config.stepPower).toBe(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a new config left without them gets the defaults, not the legacy values', () => {
    const config = parseTeacherConfig({ dataset: 'moons' })
    expect(config.fourierFeatures).toBe(TEACHER_DEFAULTS.fourierFeatures)
    expect(config.ema).toBe(TEACHER_DEFAULTS.ema)
    expect(config.stepPower).toBe(TEACHER_DEFAULTS.stepPower)
    expect(TEACHER_DEFAULTS.stepPower).not.toBe(1)
  })

  it('an image teacher keeps the settings it had: the recipe was measured on the 2D MLP', () => {
    const config = parseTeacherConfig({ dataset: 'image:fashion-test', model: 'unet' })
    expect(config.ema).toBe(0)
    expect(config.batch).toBe(256)
    expect(config.steps).toBe(10_000)
    expect(config.stepPower).toBe(1)
    expect(parseTeacherConfig({ dataset: 'image:fashion-test', model: 'unet', ema: 0.99 }).ema).toBe(0.99)
  })

  it('new values out of bounds are refused by name', () => {
    expect(() => tiny({ fourierFeatures: -1 })).toThrow(/Fourier features/)
    expect(() => tiny({ fourierMaxFrequency: 0.5 })).toThrow(/highest Fourier frequency/)
    expect(() => tiny({ ema: 1 })).toThrow(/teacher EMA decay/)
    expect(() => tiny({ warmupSteps: 1.5 })).toThrow(/warm-up steps/)
    expect(() => tiny({ stepPower: 0 })).toThrow(/step sampling power must be at least 0.25/)
    expect(() => tiny({ stepPower: 'x' })).toThrow(/step sampling power must be a number/)
  })
})

describe('#17 the step sampling power draws low-noise steps more often', () => {
  const draws = (power: number, n = 20_000) => {
    const rng = Rng.fromSeed(3, 1)
    return Array.from({ length: n }, () => drawStep(rng, 1000, power))
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

  it('the trainer draws with the power its config gives', async () => {
    const lossesAt = async (stepPower: number) => {
      const trainer = new TeacherTrainer(tiny({ stepPower, steps: 4 }), 'cpu')
      try {
        for (let i = 0; i < 4; i++) await trainer.trainStep()
        return (await trainer.settle()).map((r) => r.loss)
      } finally {
        trainer.dispose()
      }
    }
    const [uniform, again, skewed] = [await lossesAt(1), await lossesAt(1), await lossesAt(4)]
    expect(again).toEqual(uniform)
    // The zero-initialised last layer makes step 1's loss mean(eps^2) whatever k is; later steps see k.
    expect(skewed.slice(1)).not.toEqual(uniform.slice(1))
  })

  it('power 1 is the uniform draw the trainer made before the power existed', () => {
    const rng = Rng.fromSeed(3, 1)
    expect(draws(1, 500)).toEqual(Array.from({ length: 500 }, () => rng.int(1000)))
  })

  it('power p puts the mean step at T / (p + 1) and stays within [0, T)', () => {
    for (const power of [1, 2, 3]) {
      const ks = draws(power)
      expect(mean(ks) / 1000).toBeCloseTo(1 / (power + 1), 1)
      expect(Math.min(...ks)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...ks)).toBeLessThan(1000)
    }
    // The share of steps below T / 10: 10 % uniform, 10^(-1/2) = 32 % at power 2.
    expect(draws(2).filter((k) => k < 100).length / 20_000).toBeCloseTo(Math.sqrt(0.1), 1)
  })
})

describe('#17 Fourier features of the MLP input', () => {
  it('run geometrically from 1 to the highest frequency', () => {
    const f = fourierFrequencies(32, 50)
    expect(f[0]).toBeCloseTo(1, 6)
    expect(f[31]).toBeCloseTo(50, 4)
    for (let j = 1; j < 31; j++) expect((f[j + 1] as number) / (f[j] as number)).toBeCloseTo(50 ** (1 / 31), 5)
    expect(Array.from(fourierFrequencies(1, 50))).toEqual([1])
  })

  it('are sin and cos of every coordinate at every frequency, and widen the first layer', () => {
    const config = tiny({ fourierFeatures: 3, fourierMaxFrequency: 4 })
    const spec = mlpSpecOf(config, 2)
    const features = fourierFeaturesOf(spec)
    if (!features) throw new Error('no Fourier features')
    expect(layerShapes(spec)[0]).toEqual([2 + 12 + config.timeEmbeddingDim, config.hiddenWidth])
    const x = tf.tensor2d([0.3, -0.7, 1.1, 0.2], [2, 2])
    const columns = fourierFeatureColumns(x, features)
    expect(columns.shape).toEqual([2, 12])
    const got = columns.arraySync()
    const freqs = [1, 2, 4]
    const rows = [
      [0.3, -0.7],
      [1.1, 0.2],
    ]
    rows.forEach((row, b) => {
      const angles = row.flatMap((v) => freqs.map((f) => v * f))
      const want = [...angles.map(Math.sin), ...angles.map(Math.cos)]
      want.forEach((w, i) => expect(got[b]?.[i]).toBeCloseTo(w, 5))
    })
    tf.dispose([x, columns])
  })

  it('the network maps [B, 2] to [B, 2] and leaks no tensors', () => {
    const config = tiny({ fourierFeatures: 4 })
    const spec = mlpSpecOf(config, 2)
    const fourier = fourierFeaturesOf(spec)
    const weights = layerShapes(spec).map(([a, b]) => ({ W: tf.randomNormal([a, b]), b: tf.zeros([b]) }))
    const x = tf.randomNormal([5, 2]) as Tensor2D
    const embedding = tf.randomNormal([5, config.timeEmbeddingDim]) as Tensor2D
    const before = tf.memory().numTensors
    const out = tf.tidy(() => mlpForward(weights, x, embedding, fourier))
    expect(out.shape).toEqual([5, 2])
    out.dispose()
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([x, embedding, ...weights.flatMap((l) => [l.W, l.b])])
  })
})

describe('#17 the teacher trains online weights and samples from their EMA', () => {
  it('after a step the model is the warmed-up average of its start and the trained weights', async () => {
    const config = tiny({ fourierFeatures: 2, ema: 0.9 })
    const trainer = new TeacherTrainer(config, 'cpu')
    try {
      const start = await arraysOf(trainer)
      await trainer.trainStep()
      if ('settle' in trainer && typeof trainer.settle === 'function') await trainer.settle()
      const after = await arraysOf(trainer)
      const decay = evalEmaDecayAt(1, 0.9)
      // The last layer: it starts at zero, and is the one the first step moves (the others get no gradient yet).
      const name = 'layer2.W'
      const online = after[`teacher.online/${name}`]?.data as Float32Array
      const model = after[`teacher/${name}`]?.data as Float32Array
      const initial = start[`teacher/${name}`]?.data as Float32Array
      expect(online).toBeDefined()
      let moved = 0
      for (let i = 0; i < model.length; i++) {
        const want = decay * (initial[i] as number) + (1 - decay) * (online[i] as number)
        expect(model[i]).toBeCloseTo(want, 5)
        if (online[i] !== initial[i]) moved++
      }
      expect(moved).toBeGreaterThan(0)
    } finally {
      trainer.dispose()
    }
  })

  it('without an EMA the model is the trained weights and the checkpoint holds no second set', async () => {
    const trainer = new TeacherTrainer(tiny({ ema: 0 }), 'cpu')
    try {
      await trainer.trainStep()
      const arrays = await arraysOf(trainer)
      expect(Object.keys(arrays).some((k) => k.startsWith('teacher.online/'))).toBe(false)
    } finally {
      trainer.dispose()
    }
  })

  it('a resumed teacher goes on exactly as one never stopped (online weights and EMA both restored)', async () => {
    const config = tiny({ fourierFeatures: 2, ema: 0.99, steps: 6 })
    const straight = new TeacherTrainer(config, 'cpu')
    const first = new TeacherTrainer(config, 'cpu')
    try {
      for (let i = 0; i < 6; i++) await straight.trainStep()
      for (let i = 0; i < 3; i++) await first.trainStep()
      if ('settle' in first && typeof first.settle === 'function') await first.settle()
      const resumed = new TeacherTrainer(config, 'cpu', await first.snapshot())
      try {
        for (let i = 0; i < 3; i++) await resumed.trainStep()
        const a = await arraysOf(straight)
        const b = await arraysOf(resumed)
        for (const key of ['teacher/layer0.W', 'teacher.online/layer0.W', 'teacher/layer2.b']) {
          expect(Array.from(b[key]?.data ?? [])).toEqual(Array.from(a[key]?.data ?? []))
        }
      } finally {
        resumed.dispose()
      }
    } finally {
      straight.dispose()
      first.dispose()
    }
  })

  it('training leaks no tensors', async () => {
    const trainer = new TeacherTrainer(tiny({ fourierFeatures: 2, ema: 0.9 }), 'cpu')
    try {
      await trainer.trainStep()
      // Losses are read a few steps late (#18): count with none of them pending.
      if ('settle' in trainer && typeof trainer.settle === 'function') await trainer.settle()
      const before = tf.memory().numTensors
      for (let i = 0; i < 3; i++) await trainer.trainStep()
      if ('settle' in trainer && typeof trainer.settle === 'function') await trainer.settle()
      expect(tf.memory().numTensors).toBe(before)
    } finally {
      trainer.dispose()
    }
  })
})

describe('#17 the teacher learning rate', () => {
  it('warms up linearly over warmupSteps, then decays by a cosine to the last step', () => {
    const config = tiny({ lr: 1e-3, steps: 1000, warmupSteps: 100 })
    expect(teacherLearningRate(config, 1)).toBeCloseTo(1e-5, 12)
    expect(teacherLearningRate(config, 50)).toBeCloseTo(5e-4, 12)
    expect(teacherLearningRate(config, 100)).toBeCloseTo(1e-3, 12)
    expect(teacherLearningRate(config, 101)).toBeCloseTo(1e-3, 12)
    expect(teacherLearningRate(config, 551)).toBeCloseTo(5e-4, 9)
    expect(teacherLearningRate(config, 1000)).toBeLessThan(1e-7)
  })

  it('older teachers keep their 200 steps, capped at the run', () => {
    const { warmupSteps: _unset, ...old } = tiny({ lr: 1e-3, steps: 50 })
    const legacy = parseTeacherConfig(completeStoredTeacherConfig(old))
    expect(legacy.warmupSteps).toBe(200)
    expect(teacherLearningRate(legacy, 25)).toBeCloseTo(5e-4, 12)
  })
})
