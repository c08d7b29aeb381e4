/** The SQL of RunsRepo.listRuns: a filter becomes one SELECT with named parameters. */
import type { RunVerdict } from '@shared/cd/verdict'
import type { RunKind, RunStatus } from '@shared/store/types'
import { SUMMARY_COLUMNS } from './run-rows'

export interface RunFilter {
  kind?: RunKind
  status?: RunStatus | RunStatus[]
  /** Only runs with this verdict, or (`none`) without one. */
  verdict?: RunVerdict | 'none'
  /** Runs carrying every one of these tags. */
  tags?: string[]
  teacherId?: string
  parentRunId?: string
  /** Case-insensitive substring of the id, the stored name or the notes. */
  text?: string
  createdAfter?: number
  createdBefore?: number
  /** Only these metric keys in `lastMetrics` (default: all). */
  metricKeys?: string[]
  /** Include each run's config (the runs table shows config columns). */
  withConfig?: boolean
  /** Newest first; default no limit. */
  limit?: number
  offset?: number
}

/** Newest first; each row is SUMMARY_COLUMNS, last metrics and tags as JSON, then the config (see ListRow). */
export function listRunsQuery(filter: RunFilter): { sql: string; params: Record<string, unknown> } {
  const where: string[] = []
  const params: Record<string, unknown> = {}
  if (filter.kind !== undefined) {
    where.push('kind = @kind')
    params.kind = filter.kind
  }
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status]
    where.push('status IN (SELECT value FROM json_each(@statuses))')
    params.statuses = JSON.stringify(statuses)
  }
  if (filter.verdict !== undefined) {
    if (filter.verdict === 'none') where.push('verdict IS NULL')
    else {
      where.push('verdict = @verdict')
      params.verdict = filter.verdict
    }
  }
  ;(filter.tags ?? []).forEach((tag, i) => {
    where.push(`EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = runs.id AND t.tag = @tag${i})`)
    params[`tag${i}`] = tag
  })
  if (filter.teacherId !== undefined) {
    where.push('teacher_id = @teacherId')
    params.teacherId = filter.teacherId
  }
  if (filter.parentRunId !== undefined) {
    where.push('parent_run_id = @parentRunId')
    params.parentRunId = filter.parentRunId
  }
  if (filter.text !== undefined && filter.text !== '') {
    where.push(
      "(instr(lower(id), lower(@text)) > 0 OR instr(lower(coalesce(name, '')), lower(@text)) > 0 OR instr(lower(notes), lower(@text)) > 0)",
    )
    params.text = filter.text
  }
  if (filter.createdAfter !== undefined) {
    where.push('created_at >= @createdAfter')
    params.createdAfter = filter.createdAfter
  }
  if (filter.createdBefore !== undefined) {
    where.push('created_at < @createdBefore')
    params.createdBefore = filter.createdBefore
  }
  // One query; each run's last metrics (cached on the row, see migration 002) and tags come as JSON.
  let sql = `SELECT ${SUMMARY_COLUMNS}, last_metrics_json,
      (SELECT json_group_array(tag) FROM run_tags WHERE run_id = runs.id) AS tags,
      ${filter.withConfig === true ? 'config_json' : 'CASE WHEN name IS NULL THEN config_json END'}
    FROM runs${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC`
  if (filter.limit !== undefined) {
    sql += ' LIMIT @limit OFFSET @offset'
    params.limit = filter.limit
    params.offset = filter.offset ?? 0
  }
  return { sql, params }
}
