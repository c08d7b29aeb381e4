import { DATA_STD } from '../data/datasets2d'
import type { DistillConfig, TeacherConfig } from './schemas'

/** The teacher of ALGORITHM.md: epsilon DDPM, T = 1000, linear betas 1e-4 -> 0.02, MLP 3 x 256 SiLU. */
export const TEACHER_DEFAULTS: TeacherConfig = {
  dataset: 'moons',
  model: 'mlp',
  numSteps: 1000,
  betaSchedule: 'linear',
  betaStart: 1e-4,
  betaEnd: 0.02,
  hiddenWidth: 256,
  hiddenDepth: 3,
  timeEmbeddingDim: 32,
  unetChannels: 32,
  unetMultipliers: [1, 2],
  unetResBlocks: 1,
  unetGroups: 8,
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

/**
 * The default preset, chosen by measurement: 3000 CD steps from the built-in moons teacher, one-step sliced
 * Wasserstein of the evaluation EMA against held-out data (2000 samples, seed 0, wasm). Each line says what
 * it beat; the figures are in the issue notes and come from runs of the engine itself.
 *   N 18            the CIFAR-10 CD value; Heun on an 18-level grid of the teacher's steps solves the teacher
 *                   ODE to 0.038 (DDIM 0.048) while keeping the anchor few levels from sigmaMax
 *   solver heun     0.087 vs 0.093 for DDIM at otherwise equal settings (one more teacher call per step)
 *   targetEma 0     0.097 vs 0.108 for mu = 0.95 at lr 5e-4 (the CIFAR-10 CD choice: online weights,
 *                   stop-gradient); mu = 0.95 remains one flag away (--ema 0.95) and in the paper-cd preset
 *   lr 1e-3 cosine  0.093 vs 0.108 (5e-4 cosine) vs 0.126 (1e-4 constant, the walkthrough's), 100 warm-up
 *                   steps; 2e-3 was no better (0.089) and noisier early on
 *   batch 256       512 gave 0.085 vs 0.087 for 1.4x the time per step
 *   evalEma 0.999   with the warm-up of evalEmaDecayAt, so short runs do not sample from the teacher
 *   weighting       uniform (lambda = 1, the contract of ALGORITHM.md). inverse-gap measured 0.083 one-step
 *                   and 0.054 / 0.050 at 2 / 4 steps on moons (uniform: 0.087, 0.073, 0.079); one-step over
 *                   teacher-100 at 4000 samples: checkerboard 2.11x (uniform 2.93x), 8gaussians 5.68x
 *                   (6.71x); but samples spread wider (checkerboard 1.14 / 1.10 of the data's per-axis std,
 *                   uniform 0.98 / 0.98; moons y 1.35, uniform 1.30). One flag away: --weighting inverse-gap
 *   later search    (2026-11-26, 4000 samples) N 10-16 with uniform weighting moved moons by < 10%; the grid
 *                   is not the limit (the teacher's own ODE over an N >= 14 grid is already within 2.5x);
 *                   the best found, N 14 + inverse-gap + lr 2e-3, is the `cd-inverse-gap` preset (moons
 *                   3.2x, 8gaussians 4.8x, checkerboard 1.9x, swissroll 2.0x, rings 2.1x)
 *   more steps      (2026-11-26, 2000 samples) this preset run for 12000 steps instead of 3000 reaches moons
 *                   one-step 0.077 = 3.6x (0.100 at step 6000): four times the budget does not reach 2.5x, and
 *                   its 4- and 8-step samples get worse (0.096, 0.119), the low levels staying undertrained
 *   stratified n    the same number of examples per level in each batch (levels still uniform per example)
 *                   gave moons 0.0945 vs 0.0875 drawn independently at 3000 steps: no better, not kept
 *   (2026-11-26, 4000 samples, moons)
 *   where the error is  teacher Heun for the top j hops, then the student in one step: 4.29x from sigma_max,
 *                   3.5x from sigma 31, 3.1x from sigma 0.4, 2.3x from 0.2: with lambda = 1 most of the error
 *                   is made at the low levels (with inverse-gap: 2.3x from sigma 1.3, the top hops add the rest)
 *   N curriculum    doubling N over the run as iCT does (to 17 from 3 or 5) diverges: coarse grids with mu 0
 *   huber c         pseudo-Huber with c 0.01 / 0.05 gave 4.33x / 4.62x (l2 4.29x)
 *   batch 1024      moons 3.61x at 2.6x the time per step (not taken: lambda = 1 stays above 2.5x); with
 *                   inverse-gap weighting moons 2.60x (2048: 2.57x), 8gaussians 3.98x, swissroll 1.82x, rings
 *                   1.90x, checkerboard 2.09x (batch 256: 1.89x): the cd-inverse-gap preset takes it
 *   cross-check     `npm run crosscheck:torch`: the PyTorch reference's loop on this teacher and these batches
 *                   gives this preset 4.30x (moons), 6.73x (8gaussians), 2.77x (checkerboard), as the engine
 *                   does; with the reference's own settings (DDIM, lr 1e-4, mu 0.95) 7.71x, 10.11x, 4.92x
 */
export const DISTILL_DEFAULTS: DistillConfig = {
  dataset: 'moons',
  teacher: 'builtin',
  algorithm: 'cd',
  numScales: 18,
  grid: 'uniform',
  targetEma: 0,
  evalEma: 0.999,
  lr: 1e-3,
  lrSchedule: 'cosine',
  warmupSteps: 100,
  batch: 256,
  steps: 3000,
  loss: 'l2',
  weighting: 'uniform',
  huberC: null,
  solver: 'heun',
  teacherSubsteps: 1,
  sigmaData: DATA_STD,
  seed: 0,
  backend: 'auto',
  evalEvery: 0,
  sampleEvery: 250,
  checkpointEvery: 1000,
  evalSamples: 4000,
  // Seven intermediate sigmas: the final evaluation reports NFE 1, 2, 4 and 8 (quality-vs-NFE curves).
  multistepSigmas: DEFAULT_MULTISTEP_SIGMAS.slice(0, 7),
}
