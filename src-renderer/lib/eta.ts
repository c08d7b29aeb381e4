/**
 * Training speed and time left, from the wall-clock times logged with recent metric points. A window of
 * recent points (not the whole run) keeps the figure current after a pause or a backend change.
 */

export interface TimedStep {
  step: number
  wallMs: number
}

/** Points older than this (before the newest) do not count towards the current speed. */
export const RATE_WINDOW_MS = 30_000

/**
 * Steps per second over the recent window, or null when the window holds fewer than two distinct
 * times or steps. `points` may be in any order.
 */
export function stepsPerSecond(points: readonly TimedStep[], windowMs = RATE_WINDOW_MS): number | null {
  let newest: TimedStep | null = null
  for (const p of points) if (Number.isFinite(p.wallMs) && (!newest || p.wallMs > newest.wallMs)) newest = p
  if (!newest) return null
  let oldest: TimedStep = newest
  for (const p of points) {
    if (!Number.isFinite(p.wallMs) || p.wallMs < newest.wallMs - windowMs) continue
    if (p.wallMs < oldest.wallMs) oldest = p
  }
  const dt = newest.wallMs - oldest.wallMs
  const ds = newest.step - oldest.step
  if (dt <= 0 || ds <= 0) return null
  return (ds * 1000) / dt
}

/** Milliseconds left to reach `totalSteps` at `rate` steps/s, or null when unknown. */
export function etaMs(currentStep: number, totalSteps: number, rate: number | null): number | null {
  if (rate === null || !(rate > 0)) return null
  return (Math.max(0, totalSteps - currentStep) / rate) * 1000
}

/** "45 s", "3 min 20 s", "2 h 05 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—'
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`
  const h = Math.floor(m / 60)
  return `${h} h ${String(m % 60).padStart(2, '0')} min`
}

export function formatRate(rate: number | null): string {
  if (rate === null) return '—'
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2)
}
