/**
 * A step slider over the training steps that have samples (its stops, ascending). Its position is a step
 * or null, which means "the newest, and keep following new ones as they arrive".
 */

/** The slider index for `step`: the last stop at or below it; null stands at the last stop. */
export function stopIndex(stops: readonly number[], step: number | null): number {
  if (step === null) return Math.max(0, stops.length - 1)
  let index = 0
  stops.forEach((s, i) => {
    if (s <= step) index = i
  })
  return index
}

/** The step for slider index `index` (clamped, rounded): null at the last stop; undefined with no stops. */
export function stepAtIndex(stops: readonly number[], index: number): number | null | undefined {
  if (stops.length === 0) return undefined
  const i = Math.max(0, Math.min(stops.length - 1, Math.round(index)))
  return i === stops.length - 1 ? null : (stops[i] as number)
}
