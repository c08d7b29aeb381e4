/**
 * Groups of compared runs (#19.10), as W&B groups them: by seed (runs that trained alike but for their
 * seed: one setting, several draws) or by sweep (the runs of one `clab sweep`, tagged `sweep:<id>`). A
 * group's curve is the mean of its runs' values at each bucket with the min-max band around it, so the
 * spread between seeds shows next to the difference between settings; in the quality-vs-NFE chart, the
 * mean of their final figures inside the band of their students'.
 */
import type { ChartDataset } from 'chart.js'
import type { EvaluationRecord, MetricBucket, RunSummary } from '@shared/store/types'
import { finalEvaluations, pointsAtNfe, type NfeRun } from './charts/nfe-curves'
import type { CurveSeries } from './charts/overlay-curves'
import { withAlpha } from './charts/theme'
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

/** A group's final evaluation: each (model, metric, NFE) figure averaged over its runs' final evaluations. */
function meanEvaluations(groupId: string, members: readonly NfeRun[]): EvaluationRecord[] {
  const values = new Map<string, { model: string; metric: string; nfe: number; values: number[] }>()
  for (const m of members)
    for (const r of finalEvaluations(m.evaluations)) {
      const key = `${r.model}/${r.metric}/${r.nfe}`
      const entry = values.get(key) ?? { model: r.model, metric: r.metric, nfe: r.nfe, values: [] }
      if (Number.isFinite(r.value)) entry.values.push(r.value)
      values.set(key, entry)
    }
  return [...values.values()]
    .filter((e) => e.values.length > 0)
    .map((e, i) => ({
      id: i,
      runId: groupId,
      step: 0,
      metric: e.metric,
      model: e.model,
      nfe: e.nfe,
      value: mean(e.values),
      createdAt: 0,
    }))
}

/** The quality-vs-NFE chart's runs grouped: a group of several is one run with the mean of their figures. */
export function groupNfeRuns(groups: readonly RunGroup[], runs: readonly NfeRun[]): NfeRun[] {
  const byRun = new Map(runs.map((r) => [r.runId, r]))
  return groups.flatMap((g): NfeRun[] => {
    const members = g.runIds.flatMap((id) => (byRun.has(id) ? [byRun.get(id) as NfeRun] : []))
    if (members.length <= 1) return members
    return [{ runId: g.id, color: (members[0] as NfeRun).color, evaluations: meanEvaluations(g.id, members) }]
  })
}

/**
 * Each group's min-max band of its students' `metric` at every NFE, as two chart datasets (the upper
 * bound, then the lower one filled up to it), to draw beneath the groups' mean curves.
 */
export function nfeBandDatasets(
  groups: readonly RunGroup[],
  runs: readonly NfeRun[],
  metric: string,
  logY: boolean,
): Array<ChartDataset<'line', Array<{ x: number; y: number }>>> {
  const byRun = new Map(runs.map((r) => [r.runId, r]))
  return groups.flatMap((g) => {
    const members = g.runIds.flatMap((id) => (byRun.has(id) ? [byRun.get(id) as NfeRun] : []))
    if (members.length <= 1) return []
    const atNfe = new Map<number, number[]>()
    for (const m of members)
      for (const p of pointsAtNfe(finalEvaluations(m.evaluations), 'student', metric))
        if (Number.isFinite(p.y) && (!logY || p.y > 0)) atNfe.set(p.x, [...(atNfe.get(p.x) ?? []), p.y])
    const xs = [...atNfe.keys()].sort((a, b) => a - b)
    const band = (pick: (v: number[]) => number) => xs.map((x) => ({ x, y: pick(atNfe.get(x) as number[]) }))
    const color = withAlpha((members[0] as NfeRun).color, 0.18)
    const common = { borderWidth: 0, borderColor: 'transparent', backgroundColor: color, pointRadius: 0 }
    return [
      { ...common, label: `${g.id} (max)`, data: band((v) => Math.max(...v)), fill: false },
      { ...common, label: `${g.id} (min)`, data: band((v) => Math.min(...v)), fill: '-1' as const },
    ]
  })
}
