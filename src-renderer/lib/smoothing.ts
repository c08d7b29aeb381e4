/**
 * TensorBoard's debiased exponential moving average (its scalar-card smoothing): an EMA started at 0 and
 * divided by (1 - w^n), so the first points are not pulled towards 0 and a weight of 0 gives the raw series.
 * Non-finite values (NaN from a diverged step, ±Infinity) are passed through where they sit and do not
 * enter the average, so one bad step leaves a gap instead of poisoning the rest of the curve.
 */

/** The largest weight the slider offers: at 0.999 and above a 1000-bucket curve barely moves (TB caps at 0.99 in its slider too). */
export const MAX_SMOOTHING = 0.99
export const DEFAULT_SMOOTHING = 0.6

export function clampSmoothing(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0
  return Math.min(weight, MAX_SMOOTHING)
}

export function debiasedEma(values: readonly number[], weight: number): number[] {
  const w = clampSmoothing(weight)
  if (w === 0) return values.slice()
  // A constant series must stay bit-identical (floating error of the debias division would draw a wobble).
  const firstFinite = values.find((v) => Number.isFinite(v))
  if (firstFinite !== undefined && values.every((v) => !Number.isFinite(v) || v === firstFinite)) return values.slice()
  const out = new Array<number>(values.length)
  let acc = 0
  let n = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (!Number.isFinite(v)) {
      out[i] = v
      continue
    }
    acc = acc * w + (1 - w) * v
    n++
    out[i] = acc / (1 - w ** n)
  }
  return out
}
