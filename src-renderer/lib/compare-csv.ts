/** The Compare view's CSV export of the compared series (pure: the state fetches, this writes). */
import type { SeriesPoint } from '@shared/store/types'

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/** One CSV of the compared series: `run,step,value`, every stored point (not the buckets). */
export function seriesCsv(series: ReadonlyArray<{ runId: string; points: readonly SeriesPoint[] }>): string {
  const lines = ['run,step,value']
  for (const s of series) for (const p of s.points) lines.push(`${csvField(s.runId)},${p.step},${String(p.value)}`)
  return `${lines.join('\n')}\n`
}
