/**
 * The sweep builder's grid: each axis a field and the comma-separated values typed for it, parsed into
 * the grid `runs.sweep` takes, with a repeated field or a bad value named on its axis.
 */
import { fieldMeta, parseNumber, type FieldKey } from '../form-fields'

export interface SweepAxis {
  field: FieldKey
  /** Comma-separated values as typed. */
  text: string
}

export interface ParsedSweep {
  grid: Record<string, number[]>
  /** Runs the grid makes (the product of the axis lengths); 0 when an axis is empty or bad. */
  count: number
  /** Problems by axis index. */
  problems: Record<number, string>
}

/** The grid of the sweep builder: each axis a list of numbers; a repeated field or a bad value is named. */
export function parseSweep(axes: readonly SweepAxis[]): ParsedSweep {
  const grid: Record<string, number[]> = {}
  const problems: Record<number, string> = {}
  const seen = new Set<string>()
  axes.forEach((axis, i) => {
    const label = fieldMeta(axis.field)?.label ?? axis.field
    if (seen.has(axis.field)) {
      problems[i] = `${label} is already an axis`
      return
    }
    seen.add(axis.field)
    const parts = axis.text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
    if (parts.length === 0) {
      problems[i] = `${label}: give at least one value`
      return
    }
    const bad = parts.find((p) => parseNumber(p) === null)
    if (bad !== undefined) {
      problems[i] = `${label}: "${bad}" is not a number`
      return
    }
    const values = [...new Set(parts.map((p) => parseNumber(p) as number))]
    grid[axis.field] = values
  })
  const ok = axes.length > 0 && Object.keys(problems).length === 0
  const count = ok ? Object.values(grid).reduce((n, v) => n * v.length, 1) : 0
  return { grid, count, problems }
}
