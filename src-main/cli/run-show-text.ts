/**
 * `clab runs show` as people read it: the run's name and id, its times with the duration, and its config
 * as an aligned table (one field a line, what the run trained with, the asked value beside it where it
 * differs), instead of one long line of key=value pairs.
 */
import { differingFields } from '@shared/config/effective'
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { specsByKey, type FieldSpec } from '@shared/config/registry'
import type { Run } from '@shared/store/types'
import { durationText } from '@shared/duration-text'

const valueText = (value: unknown): string =>
  typeof value === 'string' ? value : value === null ? 'auto' : JSON.stringify(value)

/** Local time to the second, one format: 2026-12-04 18:00:05. */
export function timeText(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** "created …, started …, finished … (took 3m 05s)"; a run in progress counts up to `now`. */
export function timesLine(run: Pick<Run, 'createdAt' | 'startedAt' | 'finishedAt' | 'status'>, now: number): string {
  const parts = [`created ${timeText(run.createdAt)}`]
  if (run.startedAt !== null) parts.push(`started ${timeText(run.startedAt)}`)
  if (run.finishedAt !== null) parts.push(`ended ${timeText(run.finishedAt)}`)
  const end = run.finishedAt ?? (run.status === 'running' || run.status === 'paused' ? now : null)
  const duration = run.startedAt !== null && end !== null ? durationText(Math.max(0, end - run.startedAt)) : '-'
  return `${parts.join(', ')}; duration ${duration}${run.finishedAt === null && end !== null ? ' so far' : ''}`
}

/**
 * The effective config as rows `field  value (asked X)  label`, in the registry's order; keys the registry does not know (older or newer records) follow as they are.
 */
export function configTable(run: Pick<Run, 'kind' | 'config' | 'effectiveConfig' | 'gridTop'>): string {
  const effective = run.effectiveConfig ?? run.config
  if (effective === null || typeof effective !== 'object' || Array.isArray(effective))
    return `  ${valueText(effective)}`
  const values = effective as Record<string, unknown>
  const specs = specsByKey<FieldSpec>(run.kind === 'teacher' ? TEACHER_FIELDS : DISTILL_FIELDS)
  const asked = new Map(differingFields(run.config, effective).map((d) => [d.field, d.requested]))
  const keys = [...[...specs.keys()].filter((k) => k in values), ...Object.keys(values).filter((k) => !specs.has(k))]
  const rows = keys.map((key) => [
    key,
    `${valueText(values[key])}${asked.has(key) ? ` (asked ${valueText(asked.get(key))})` : ''}`,
    specs.get(key)?.label ?? '',
  ])
  // Not a config field: fixed at launch from the teacher's schedule, which the config alone cannot say.
  if (run.kind === 'distill' && run.gridTop !== undefined)
    rows.push(['gridTop', run.gridTop === null ? 'not recorded' : String(run.gridTop), 'Grid top (teacher step)'])
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)))
  return rows
    .map((r) => `  ${r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] as number) : cell)).join('  ')}`.trimEnd())
    .join('\n')
}
