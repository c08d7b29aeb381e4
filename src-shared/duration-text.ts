/**
 * A run's duration as the runs table and `clab runs show` both say it (12s, 3m 05s, 1h 02m, 2d 03h), so the
 * app and the CLI cannot drift apart.
 */
export function durationText(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`
}
