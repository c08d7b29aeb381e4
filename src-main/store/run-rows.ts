/**
 * The mapping of `runs` rows to the shared types: a full row (findRun) to a RunSummary, and a raw listRuns
 * row, read by position for speed, to a RunListItem.
 */
import type { RunVerdict } from '@shared/cd/verdict'
import type { LastMetric, ParentKind, RunKind, RunListItem, RunStatus, RunSummary } from '@shared/store/types'
import { readRunConfig, storedRunName } from './run-config'

export interface RunRow {
  id: string
  kind: RunKind
  status: RunStatus
  config_json?: string
  teacher_id: string | null
  parent_run_id: string | null
  parent_kind: ParentKind | null
  parent_step: number | null
  backend: string | null
  app_version: string
  seed: number | null
  created_at: number
  started_at: number | null
  finished_at: number | null
  error: string | null
  notes: string
  owner_host: string | null
  owner_pid: number | null
  verdict: RunVerdict | null
  verdict_reason: string | null
  name: string | null
}

export const SUMMARY_COLUMNS =
  'id, kind, status, teacher_id, parent_run_id, parent_kind, parent_step, backend, app_version, seed, ' +
  'created_at, started_at, finished_at, error, notes, owner_host, owner_pid, verdict, verdict_reason, name'

/**
 * A listRuns row: SUMMARY_COLUMNS, then last metrics and tags as JSON, then the config: always when asked,
 * else only for a run without a stored name (its name is derived from it).
 */
export type ListRow = [
  id: string,
  kind: RunKind,
  status: RunStatus,
  teacherId: string | null,
  parentRunId: string | null,
  parentKind: ParentKind | null,
  parentStep: number | null,
  backend: string | null,
  appVersion: string,
  seed: number | null,
  createdAt: number,
  startedAt: number | null,
  finishedAt: number | null,
  error: string | null,
  notes: string,
  ownerHost: string | null,
  ownerPid: number | null,
  verdict: RunVerdict | null,
  verdictReason: string | null,
  name: string | null,
  lastMetricsJson: string | null,
  tags: string,
  configJson: string | null,
]

export function summaryOf(row: RunRow, tags: string[]): RunSummary {
  return {
    id: row.id,
    name: storedRunName(row.kind, row.name, row.config_json),
    kind: row.kind,
    status: row.status,
    teacherId: row.teacher_id,
    parentRunId: row.parent_run_id,
    parentKind: row.parent_kind,
    parentStep: row.parent_step,
    backend: row.backend,
    appVersion: row.app_version,
    seed: row.seed,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    notes: row.notes,
    tags,
    verdict: row.verdict,
    verdictReason: row.verdict_reason,
  }
}

/** A listRuns row as a RunListItem: `keys` narrows its last metrics; `withConfig` adds the run's config. */
export function listItemOf(r: ListRow, keys: readonly string[] | undefined, withConfig: boolean): RunListItem {
  const all = r[20] === null ? {} : (JSON.parse(r[20]) as Record<string, { step: number; value: number | null }>)
  let lastMetrics = all
  if (keys !== undefined) {
    lastMetrics = {}
    for (const key of keys) if (all[key] !== undefined) lastMetrics[key] = all[key]
  }
  for (const key in lastMetrics) {
    const m = lastMetrics[key] as { value: number | null }
    if (m.value === null) m.value = Number.NaN
  }
  const item: RunListItem = {
    id: r[0],
    name: storedRunName(r[1], r[19], r[22]),
    kind: r[1],
    status: r[2],
    teacherId: r[3],
    parentRunId: r[4],
    parentKind: r[5],
    parentStep: r[6],
    backend: r[7],
    appVersion: r[8],
    seed: r[9],
    createdAt: r[10],
    startedAt: r[11],
    finishedAt: r[12],
    error: r[13],
    notes: r[14],
    tags: r[21] === '[]' ? [] : (JSON.parse(r[21]) as string[]),
    verdict: r[17],
    verdictReason: r[18],
    lastMetrics: lastMetrics as Record<string, LastMetric>,
  }
  if (withConfig) Object.assign(item, readRunConfig(r[1], r[22]))
  return item
}
