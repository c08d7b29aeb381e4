/**
 * Named starting points for a distillation run. Each preset only lists what differs from
 * DISTILL_DEFAULTS; the reasons are part of the preset so the UI and the README can show them.
 */
import { DISTILL_DEFAULTS, SINGLE_STEP_DEFAULTS } from './defaults'
import type { DistillConfig } from './schemas'

export interface Preset {
  label: string
  why: string
  values: Partial<DistillConfig>
}

const D = DISTILL_DEFAULTS

export const PRESETS = {
  default: {
    label: 'Default (measured on the built-in 2D teachers)',
    // Read from DISTILL_DEFAULTS so the text cannot drift from the values it explains.
    why: `The defaults: N = ${D.numScales} levels spread in sigma as Karras et al.'s (rho 7), the teacher's Heun step in ${D.teacherSubsteps} substeps per hop, lambda = 1 / (sigma_hi - sigma_lo), half of each batch at the top pair, trained against the teacher's ODE solved all the way down to sigma_min, the grid's top at sigma_max = ${D.sigmaMax} (the least that is still noise), lr ${D.lr.toExponential().replace('+', '')}, batch ${D.batch}, the second sampling step re-noising to sigma ${D.multistepSigmas[0]} (the level just above the cleanest), chosen by measurement against held-out data for ${D.steps} CD steps from a built-in teacher.`,
    values: {},
  },
  /** Measurements: DISTILL_DEFAULTS (moons seed 0, one-step precision 0.805 in the PyTorch port against the default's 0.924). */
  quick: {
    label: 'Default at batch 256 (a third of the time per step, blurrier one-step samples)',
    why: "The default preset at a quarter of the batch and lr 2e-3, half of it at the top pair and no replay: about a third of the time per step, for a first look. On moons after 3000 steps its one-step samples reach precision 0.81 against the default's 0.92 (more of them off the data's support), two steps 0.93 against 0.97.",
    values: { batch: 256, lr: 2e-3, topPairShare: 0.5, topPairReplay: 0 },
  },
  /** The default before the substep measurements: ALGORITHM.md's step as written, tuned (moons 4.29x, 8gaussians 6.71x). */
  'cd-single-step': {
    label: 'CD as in ALGORITHM.md (one teacher step per hop, lambda = 1)',
    why: "The CD loss of the contract exactly: one Heun step of the teacher between adjacent levels and lambda = 1, over N = 18, with lr 1e-3 (the earlier default; one-step quality 4.3x the teacher's on moons at 3000 steps).",
    values: { algorithm: 'cd', ...SINGLE_STEP_DEFAULTS },
  },
  walkthrough: {
    label: "The walkthrough's hyperparameters on faithful CD (its own loop: algorithm tutorial)",
    why: 'The walkthrough\'s N = 100, EMA 0.99, Adam lr 1e-4, batch 64, trained with faithful CD (algorithm cd). Its loop as written is the algorithm "tutorial": choose it with these values to run the walkthrough exactly.',
    values: {
      ...SINGLE_STEP_DEFAULTS,
      numScales: 100,
      targetEma: 0.99,
      lr: 1e-4,
      lrSchedule: 'constant',
      warmupSteps: 0,
      batch: 64,
      solver: 'ddim',
    },
  },
  'paper-cd': {
    label: 'Consistency Models paper (CD, ImageNet-64 style)',
    why: 'Song et al. 2023: Heun teacher steps, N = 40, target mu = 0.95, evaluation EMA 0.9999, L2, lambda = 1, sigma_max = 80.',
    values: {
      ...SINGLE_STEP_DEFAULTS,
      algorithm: 'cd',
      solver: 'heun',
      numScales: 40,
      targetEma: 0.95,
      evalEma: 0.9999,
      loss: 'l2',
      sigmaMax: 80,
    },
  },
  'ict-like': {
    label: 'iCT-like consistency training',
    why: 'Song & Dhariwal 2023: no teacher call, mu = 0, pseudo-Huber, lognormal levels, N doubling up to the final N, sigma_max = 80.',
    values: { algorithm: 'ict', targetEma: 0, loss: 'huber', numScales: 160, lr: 1e-3, sigmaMax: 80 },
  },
} satisfies Record<string, Preset>

export type PresetName = keyof typeof PRESETS
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[]

/** Whether `name` names a preset (its own key, not an inherited one such as "toString"). */
export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name)
}
