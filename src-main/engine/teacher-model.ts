/**
 * A trained epsilon-prediction DDPM teacher: its config, network architecture, schedule and frozen weights.
 */
import { scheduleOf, type NoiseSchedule } from '@shared/cd/schedule'
import type { TeacherConfig } from '@shared/config/schemas'
import { architectureFor, type Architecture } from './architecture'
import { DATA_2D, type DataShape } from './data-source'
import type { EpsWeights, WeightArrays } from './weights'

export interface TeacherModel {
  config: TeacherConfig
  architecture: Architecture
  schedule: NoiseSchedule
  weights: EpsWeights
}

/** `data` gives the shape the network works on: 2D points unless told otherwise. */
export function loadTeacherModel(config: TeacherConfig, arrays: WeightArrays, data: DataShape = DATA_2D): TeacherModel {
  const architecture = architectureFor(config, data)
  return {
    config,
    architecture,
    schedule: scheduleOf(config),
    weights: architecture.fromArrays(arrays, false, 'teacher'),
  }
}
