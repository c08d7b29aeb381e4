import { parseTeacherConfig } from '@shared/config/validate'
import type { TeacherConfig } from '@shared/config/schemas'
import { Rng } from '@shared/rng'
import { selectBackend } from '../../src-main/engine/backend'
import { initialWeights } from '../../src-main/engine/mlp'
import { mlpSpecOf } from '../../src-main/engine/architecture'
import { loadTeacherModel, type TeacherModel } from '../../src-main/engine/teacher-model'
import type { WeightArrays } from '../../src-main/engine/weights'

/** Unit tests run on the deterministic pure-JS cpu backend with a small network. */
export async function useCpu(): Promise<void> {
  await selectBackend('cpu')
}

export const SMALL_TEACHER: Partial<TeacherConfig> = {
  hiddenWidth: 16,
  hiddenDepth: 2,
  timeEmbeddingDim: 8,
  // Fourier features as the default teacher has them, at low frequencies: random weights on the default's
  // frequencies up to 50 make a network too rough for the float32 comparisons the unit tests make.
  fourierFeatures: 2,
  fourierMaxFrequency: 2,
  batch: 32,
  steps: 20,
}

/** A teacher with random (non-zero) weights, so every term of the maths is exercised. */
export function randomTeacher(overrides: Partial<TeacherConfig> = {}, seed = 7): TeacherModel {
  const config = parseTeacherConfig({ ...SMALL_TEACHER, ...overrides })
  const arrays: WeightArrays = {}
  const rng = Rng.fromSeed(seed)
  initialWeights(mlpSpecOf(config, 2), rng).forEach((l, i) => {
    // initialWeights zeroes the last layer; give it values so the network output is not trivially 0.
    const W = l.W.every((v) => v === 0) ? rng.normals(l.W.length).map((v) => v * 0.1) : l.W
    arrays[`layer${i}.W`] = { shape: l.shape, data: W }
    arrays[`layer${i}.b`] = { shape: [l.shape[1]], data: rng.normals(l.b.length).map((v) => v * 0.1) }
  })
  return loadTeacherModel(config, arrays)
}
