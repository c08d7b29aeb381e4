/**
 * Groups of compared runs (#19.10), as W&B groups them: by seed (runs that trained alike but for their
 * seed: one setting, several draws) or by sweep (the runs of one `clab sweep`, tagged `sweep:<id>`). A
 * group's curve is the mean of its runs' values at each bucket with the min-max band around it, so the
 * spread between seeds shows next to the difference between settings.
 */
import type { MetricBucket, RunSummary } from '@shared/store/types'
import type { CurveSeries } from './charts/overlay-curves'
import { effectiveConfigOf, type ConfigRow } from './run-config-values'
import { runName } from './run-names'

export const GROUP_BYS = ['none', 'seed', 'sweep'] as const
export type GroupBy = (typeof GROUP_BYS)[number]

export interface RunGroup {
  /** A lone run keeps its own id (its colour and name); a group of several is `group:<first run id>`. */
  id: string
  label: string
  runIds: string[]
}

type GroupedRun = ConfigRow & Pick<RunSummary, 'id' | 'name' | 'tags'>

/** Settings that do not change what a run learns: runs differing only in these (and the seed) are one group. */
const BOOKKEEPING = new Set(['seed', 'backend', 'evalEvery', 'sampleEvery', 'checkpointEvery'])

function settingsKey(run: GroupedRun): string {
  const config = effectiveConfigOf(run) ?? {}
  const kept = Object.keys(config)
    .filter((k) => !BOOKKEEPING.has(k))
    .sort()
    .map((k) => [k, config[k]])
  return JSON.stringify(kept)
}

const sweepOf = (run: GroupedRun): string | null => run.tags.find((t) => t.startsWith('sweep:')) ?? null

/** The runs in groups, in the order of their first run; every run is in exactly one group. */
export function groupRuns(runs: readonly GroupedRun[], by: GroupBy): RunGroup[] {
  const groups = new Map<string, GroupedRun[]>()
  for (const run of runs) {
    const key = by === 'seed' ? settingsKey(run) : by === 'sweep' ? (sweepOf(run) ?? `run:${run.id}`) : run.id
    groups.set(key, [...(groups.get(key) ?? []), run])
  }
  return [...groups.values()].map((members) => {
    const first = members[0] as GroupedRun
    if (members.length === 1) return { id: first.id, label: runName(first), runIds: [first.id] }
    const label =
      by === 'sweep'
        ? `${sweepOf(first)} · ${members.length} runs`
        : `${runName(first)
            .replace(/\s*\bseed\d+\b/u, '')
            .trim()} · ${members.length} seeds`
    return { id: `group:${first.id}`, label, runIds: members.map((m) => m.id) }
  })
}

/** Each group's label by its id (lone runs included), for legends and exported PNGs. */
export function groupNames(groups: readonly RunGroup[]): Record<string, string> {
  return Object.fromEntries(groups.map((g) => [g.id, g.label]))
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length

/**
 * One curve per group: at each bucket index any member has, `last` is the members' mean and `min`/`max`
 * the lowest and highest of their values there (the band); steps and wall times are the members' mean, wall
 * time relative to each member's own start. A lone run's series is passed through as it is.
 */
export function groupCurveSeries(
  groups: readonly RunGroup[],
  series: readonly CurveSeries[],
  colors: Readonly<Record<string, string>>,
): CurveSeries[] {
  const byRun = new Map(series.map((s) => [s.runId, s]))
  return groups.flatMap((g): CurveSeries[] => {
    const members = g.runIds.flatMap((id) => {
      const s = byRun.get(id)
      return s ? [s] : []
    })
    if (members.length === 0) return []
    if (g.runIds.length === 1) return members
    const length = Math.max(...members.map((s) => s.buckets.length))
    const buckets: MetricBucket[] = []
    for (let i = 0; i < length; i++) {
      const at = members.flatMap((s) => {
        const b = s.buckets[i]
        return b ? [{ b, origin: s.originMs ?? s.buckets[0]?.lastWallMs ?? 0 }] : []
      })
      const finite = at.map((x) => x.b.last).filter((v) => Number.isFinite(v))
      if (finite.length === 0) continue
      const first = (at[0] as { b: MetricBucket }).b
      buckets.push({
        ...first,
        count: at.reduce((n, x) => n + x.b.count, 0),
        lastStep: Math.round(mean(at.map((x) => x.b.lastStep))),
        lastWallMs: mean(at.map((x) => x.b.lastWallMs - x.origin)),
        last: mean(finite),
        first: mean(finite),
        min: Math.min(...finite),
        max: Math.max(...finite),
      })
    }
    return [{ runId: g.id, color: colors[g.runIds[0] as string] ?? '#888888', buckets, originMs: 0 }]
  })
}
