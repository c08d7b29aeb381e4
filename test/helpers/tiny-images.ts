/** A tiny image workload for engine tests: 8x8 synthetic images and a U-Net of 8 base channels. */
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { imageDataSource, type DataSource, type ImageRows } from '../../src-main/engine/data-source'
import { TeacherTrainer } from '../../src-main/engine/teacher-trainer'
import { loadTeacherModel, type TeacherModel } from '../../src-main/engine/teacher-model'
import { pickArrays } from '../../src-main/engine/snapshot'

const SIDE = 8
/** How many images tinyImageRows holds. */
export const TINY_IMAGE_COUNT = 40
const COUNT = TINY_IMAGE_COUNT

/** In-memory rows: a bright square at an image-dependent place on a dark ground. */
export function tinyImageRows(): ImageRows {
  const size = SIDE * SIDE
  const all = new Float32Array(COUNT * size).fill(-1)
  for (let n = 0; n < COUNT; n++) {
    const at = n % (SIDE - 2)
    for (let y = at; y < at + 3; y++) for (let x = at; x < at + 3; x++) all[n * size + y * SIDE + x] = 1
  }
  return {
    count: COUNT,
    height: SIDE,
    width: SIDE,
    channels: 1,
    batch(indices: ArrayLike<number>) {
      const images = new Float32Array(indices.length * size)
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i] as number
        // An index past the rows would read zeros silently; a data source must never ask for one.
        if (k < 0 || k >= COUNT) throw new Error(`index ${k} out of range`)
        images.set(all.subarray(k * size, (k + 1) * size), i * size)
      }
      return { images }
    },
  }
}

export const TINY_UNET_TEACHER = {
  dataset: 'image:synthetic',
  model: 'unet',
  unetChannels: 8,
  unetGroups: 4,
  unetMultipliers: [1, 2],
  timeEmbeddingDim: 8,
  numSteps: 100,
  betaEnd: 0.2,
  batch: 4,
  steps: 3,
  lr: 1e-3,
} as const

export const TINY_UNET_DISTILL = {
  dataset: 'image:synthetic',
  teacher: 'unused',
  numScales: 6,
  batch: 4,
  steps: 4,
  warmupSteps: 0,
  evalSamples: 16,
  multistepSigmas: [0.8, 0.4],
  sampleEvery: 0,
} as const

export function tinyImageData(): DataSource {
  return imageDataSource('image:synthetic', tinyImageRows())
}

/** The tiny U-Net teacher at its initial weights (trained for no step), on whatever backend is current. */
export async function tinyUnetTeacher(data: DataSource, backend: string): Promise<TeacherModel> {
  const config = parseTeacherConfig({ ...TINY_UNET_TEACHER, backend })
  const trainer = new TeacherTrainer(config, backend, undefined, data)
  const snapshot = await trainer.snapshot(false)
  trainer.dispose()
  return loadTeacherModel(config, pickArrays('teacher', snapshot.arrays), data)
}

export const tinyDistillConfig = (overrides: Record<string, unknown> = {}) =>
  parseDistillConfig({ ...TINY_UNET_DISTILL, ...overrides })
