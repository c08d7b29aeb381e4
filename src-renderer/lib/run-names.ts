/**
 * Runs as people name them in every view (#19): the run's name (the user's, or the one derived from its
 * settings), else its id. Two runs of one view may share a name (same settings, or one given twice), so
 * those get the end of their id beside it, as git shows a short hash.
 */
import type { RunSummary } from '@shared/store/types'

/** Characters of the id's random tail that tell runs apart (the CLI takes them as a short id). */
const TAIL = 6

export function runName(run: Pick<RunSummary, 'id' | 'name'>): string {
  return run.name ?? run.id
}

/** Each run's name in this set of runs, by id; a name two of them share gets ` · <id tail>`. */
export function runNames(runs: readonly Pick<RunSummary, 'id' | 'name'>[]): Record<string, string> {
  const count = new Map<string, number>()
  for (const r of runs) count.set(runName(r), (count.get(runName(r)) ?? 0) + 1)
  return Object.fromEntries(
    runs.map((r) => {
      const name = runName(r)
      return [r.id, (count.get(name) ?? 0) > 1 && name !== r.id ? `${name} · ${r.id.slice(-TAIL)}` : name]
    }),
  )
}
