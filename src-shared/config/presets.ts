/**
 * Named starting points for a distillation run. Each preset only lists what differs from
 * DISTILL_DEFAULTS; the reasons are part of the preset so the UI and the README can show them.
 */
import type { DistillConfig } from './schemas'

export interface Preset {
  label: string
  why: string
  values: Partial<DistillConfig>
}

export const PRESETS = {
  default: {
    label: 'Default (measured on the built-in 2D teachers)',
    why: 'See DISTILL_DEFAULTS: chosen by measurement for 3000 CD steps from a built-in teacher.',
    values: {},
  },
  /**
   * Measured (2026-11-26, wasm, 3000 steps, 4000 evaluation samples, seed 0): one-step SWD over the teacher's
   * 100-step SWD of moons 2.60x, 8gaussians 3.98x, checkerboard 2.09x, swissroll 1.82x, rings 1.90x, per-axis
   * spread within 1.21 of the data's; at batch 256 (the cost of a default step) moons 3.18x, 8gaussians 4.80x,
   * checkerboard 1.89x, swissroll 2.01x, rings 2.08x; batch 2048 gave moons 2.57x. Against the default's moons
   * 4.29x, 8gaussians 6.71x, checkerboard 2.93x. About 2.6x the time per step of the default. Not the default
   * because its inverse-gap weighting departs from ALGORITHM.md's lambda = 1 for CD.
   */
  'cd-inverse-gap': {
    label: 'CD, inverse-gap weighting (best measured one-step quality)',
    why: "N = 14, lambda = 1 / (sigma_hi - sigma_lo) (iCT's weighting), lr 2e-3, batch 1024: the best one-step quality measured at 3000 steps on the built-in teachers (moons 2.6x, 8gaussians 4.0x, checkerboard 2.1x, swissroll 1.8x, rings 1.9x the teacher's 100-step SWD), at about 2.6x the time per step. It departs from the CD paper's lambda = 1.",
    values: { algorithm: 'cd', numScales: 14, weighting: 'inverse-gap', lr: 2e-3, batch: 1024 },
  },
  walkthrough: {
    label: "The walkthrough's settings",
    why: 'N = 100, EMA 0.99, Adam lr 1e-4, batch 64 as in the walkthrough; with algorithm "tutorial" this is its loop exactly.',
    values: { numScales: 100, targetEma: 0.99, lr: 1e-4, lrSchedule: 'constant', warmupSteps: 0, batch: 64, solver: 'ddim' },
  },
  'paper-cd': {
    label: 'Consistency Models paper (CD, ImageNet-64 style)',
    why: 'Song et al. 2023: Heun teacher steps, N = 40, target mu = 0.95, evaluation EMA 0.9999, L2.',
    values: { algorithm: 'cd', solver: 'heun', numScales: 40, targetEma: 0.95, evalEma: 0.9999, loss: 'l2' },
  },
  'ict-like': {
    label: 'iCT-like consistency training',
    why: 'Song & Dhariwal 2023: no teacher call, mu = 0, pseudo-Huber, lognormal levels, N doubling up to the final N.',
    values: { algorithm: 'ict', targetEma: 0, loss: 'huber', numScales: 160 },
  },
} satisfies Record<string, Preset>

export type PresetName = keyof typeof PRESETS
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[]
