import { DATA_STD } from '../data/datasets2d'
import type { DistillConfig, TeacherConfig } from './schemas'

/** The teacher of ALGORITHM.md: epsilon DDPM, T = 1000, linear betas 1e-4 -> 0.02, MLP 3 x 256 SiLU. */
export const TEACHER_DEFAULTS: TeacherConfig = {
  dataset: 'moons',
  numSteps: 1000,
  betaSchedule: 'linear',
  betaStart: 1e-4,
  betaEnd: 0.02,
  hiddenWidth: 256,
  hiddenDepth: 3,
  timeEmbeddingDim: 32,
  lr: 1e-3,
  batch: 256,
  steps: 10_000,
  seed: 0,
  backend: 'auto',
}

/**
 * Default intermediate sigmas for multistep sampling of 2D data (data std 0.5): the second step re-noises
 * to sigma 0.8, further steps to 0.4, 0.2, ... Chosen on the built-in teachers; selectable per run.
 */
export const DEFAULT_MULTISTEP_SIGMAS = [0.8, 0.4, 0.2, 0.1, 0.05, 0.025, 0.0125]

export const DISTILL_DEFAULTS: DistillConfig = {
  dataset: 'moons',
  teacher: 'builtin',
  algorithm: 'cd',
  numScales: 18,
  grid: 'uniform',
  targetEma: 0.95,
  evalEma: 0.999,
  lr: 1e-4,
  lrSchedule: 'constant',
  warmupSteps: 0,
  batch: 256,
  steps: 3000,
  loss: 'l2',
  huberC: null,
  solver: 'ddim',
  sigmaData: DATA_STD,
  seed: 0,
  backend: 'auto',
  evalEvery: 0,
  checkpointEvery: 1000,
  evalSamples: 4000,
  multistepSigmas: DEFAULT_MULTISTEP_SIGMAS.slice(0, 3),
}
