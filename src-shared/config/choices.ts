/** Names of the choices a run can take; shared by validation, the CLI and the UI. */
export const ALGORITHMS = ['cd', 'tutorial', 'ct', 'ict'] as const
export type Algorithm = (typeof ALGORITHMS)[number]

export const LOSSES = ['l2', 'l1', 'huber'] as const
export type LossKind = (typeof LOSSES)[number]

export const SOLVERS = ['ddim', 'heun'] as const
export type Solver = (typeof SOLVERS)[number]

export const BACKENDS = ['auto', 'node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const
export type BackendChoice = (typeof BACKENDS)[number]
/** The order `auto` tries them in (src-main/engine/backend.ts); webgpu on a hardware adapter only. */
export const BACKEND_AUTO_ORDER: ReadonlyArray<Exclude<BackendChoice, 'auto'>> = [
  'node-gpu',
  'webgpu',
  'node',
  'wasm',
  'cpu',
]

export const GRIDS = ['uniform', 'karras'] as const
export type GridKind = (typeof GRIDS)[number]

/**
 * What the top share's pair is trained to match: `next-level`, the target network at the level below
 * (ALGORITHM.md); `sigma-min`, the teacher's ODE solved down every level of the grid to sigma_min, where the
 * consistency function is the identity, so no target network is involved.
 */
export const TOP_PAIR_TARGETS = ['next-level', 'sigma-min'] as const
/**
 * How many steps' solves topPairReplay keeps to draw from (the engine's TopReplay and every text naming it):
 * enough that a solve is replayed topPairReplay times on average.
 */
export const TOP_REPLAY_STEPS = 256
export type TopPairTarget = (typeof TOP_PAIR_TARGETS)[number]

export const LR_SCHEDULES = ['constant', 'cosine'] as const
export type LrSchedule = (typeof LR_SCHEDULES)[number]

export const BETA_SCHEDULES = ['linear', 'cosine'] as const

/** The epsilon network: `mlp` for 2D data, `unet` for images (the dataset decides; validation checks). */
export const MODELS = ['mlp', 'unet'] as const
export type ModelKind = (typeof MODELS)[number]

/**
 * lambda of the consistency loss: `uniform` (lambda = 1, the CD papers) or `inverse-gap`
 * (lambda = 1 / (sigma_hi - sigma_lo), iCT's weighting, which puts weight on the small-noise pairs).
 */
export const WEIGHTINGS = ['uniform', 'inverse-gap'] as const
export type Weighting = (typeof WEIGHTINGS)[number]
