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
