/**
 * A sweep's grid: checked as a whole (field names, values, the number of points) before any point is built,
 * so a payload of 3 axes x 1000 values is refused at once instead of building 10^9 points.
 */
import { MAX_SWEEP_POINTS, SWEEPABLE_FIELDS } from '@shared/config/fields'
import { ConfigError } from '@shared/config/validate'

/** Refuses an unknown or non-sweepable field, a non-finite value, an empty axis, or too many points. */
export function checkSweepGrid(grid: Record<string, number[]>): number {
  let points = 1
  for (const [field, values] of Object.entries(grid)) {
    if (!(SWEEPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new ConfigError([{ field, message: `cannot be swept; sweepable fields are ${SWEEPABLE_FIELDS.join(', ')}`, value: field }])
    }
    if (!Array.isArray(values) || values.length === 0) throw new ConfigError([{ field, message: 'a sweep needs at least one value', value: values }])
    const bad = values.find((v) => typeof v !== 'number' || !Number.isFinite(v))
    if (bad !== undefined) throw new ConfigError([{ field, message: `every swept value must be a finite number (got ${String(bad)})`, value: bad }])
    points *= values.length
    if (points > MAX_SWEEP_POINTS) {
      throw new ConfigError([{ field, message: `the grid has more than ${MAX_SWEEP_POINTS} points (the most one sweep may queue); sweep fewer values`, value: values.length }])
    }
  }
  return points
}

export function cartesian(grid: Record<string, number[]>): Array<Record<string, number>> {
  checkSweepGrid(grid)
  let points: Array<Record<string, number>> = [{}]
  for (const [field, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [field]: v })))
  return points
}
