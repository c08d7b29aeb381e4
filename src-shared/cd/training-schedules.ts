/**
 * How settings change over training steps, shared by the engine (which trains with them) and the run
 * form (which previews them before launch), so the preview is the schedule the run will follow.
 */

/** iCT's starting number of scales s0 (Song & Dhariwal 2023). */
export const ICT_START_SCALES = 10

/**
 * iCT's doubling curriculum at 0-based `step`:
 * N(k) = min(s0 2^floor(k / K'), s1) + 1, K' = floor(K / (log2 floor(s1 / s0) + 1)).
 */
export function ictNumScales(
  step: number,
  totalSteps: number,
  finalScales: number,
  startScales = ICT_START_SCALES,
): number {
  const s1 = Math.max(finalScales - 1, 1)
  const s0 = Math.min(startScales, s1)
  const stagesMinusOne = Math.log2(Math.floor(s1 / s0))
  const stageLength = Math.max(1, Math.floor(totalSteps / (stagesMinusOne + 1)))
  return Math.min(s0 * 2 ** Math.floor(step / stageLength), s1) + 1
}

/** Learning rate at 1-based `step`: linear warm-up, then constant or cosine decay to zero. */
export function learningRateAt(
  step: number,
  base: number,
  totalSteps: number,
  warmupSteps: number,
  schedule: 'constant' | 'cosine',
): number {
  if (warmupSteps > 0 && step <= warmupSteps) return (base * step) / warmupSteps
  if (schedule === 'constant') return base
  // The first step after warm-up gets the full rate; the last one a small positive rate (never a wasted step).
  const span = Math.max(1, totalSteps - warmupSteps)
  const progress = Math.min(1, Math.max(0, step - warmupSteps - 1) / span)
  return base * 0.5 * (1 + Math.cos(Math.PI * progress))
}

/**
 * The evaluation EMA's decay after `step` updates: min(decay, (1 + step) / (10 + step)), the warm-up of
 * TensorFlow's ExponentialMovingAverage(num_updates). Without it a 0.999-0.9999 average samples from
 * weights near the initialisation for the first thousands of steps (konpatp/diffae#16); the target EMA
 * mu is never warmed up, it is part of the method.
 */
export function evalEmaDecayAt(step: number, decay: number): number {
  return Math.min(decay, (1 + step) / (10 + step))
}
