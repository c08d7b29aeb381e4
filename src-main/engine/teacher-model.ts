/**
 * A trained epsilon-prediction DDPM teacher: its config, schedule and frozen weights.
 */
import { makeSchedule, type NoiseSchedule } from '@shared/cd/schedule'
import type { TeacherConfig } from '@shared/config/schemas'
import type { MlpSpec } from './mlp'
import { WeightSet, type WeightArrays } from './weights'

export const DATA_DIM_2D = 2

export interface TeacherModel {
  config: TeacherConfig
  spec: MlpSpec
  schedule: NoiseSchedule
  weights: WeightSet
}

export function teacherSpec(config: TeacherConfig, inputDim = DATA_DIM_2D): MlpSpec {
  return {
    inputDim,
    hiddenWidth: config.hiddenWidth,
    hiddenDepth: config.hiddenDepth,
    timeEmbeddingDim: config.timeEmbeddingDim,
  }
}

export function teacherSchedule(config: TeacherConfig): NoiseSchedule {
  return makeSchedule(config.betaSchedule, config.numSteps, config.betaStart, config.betaEnd)
}

export function loadTeacherModel(config: TeacherConfig, arrays: WeightArrays): TeacherModel {
  const spec = teacherSpec(config)
  return {
    config,
    spec,
    schedule: teacherSchedule(config),
    weights: WeightSet.fromArrays(arrays, spec.hiddenDepth + 1, false, 'teacher'),
  }
}
