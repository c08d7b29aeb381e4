/**
 * A sweep's grid: checked as a whole (field names, values, the number of points) before any point is built,
 * so a payload of 3 axes x 1000 values is refused at once instead of building 10^9 points.
 */
import { MAX_SWEEP_POINTS, SWEEPABLE_FIELDS } from '@shared/config/fields'
import type { DistillConfig } from '@shared/config/schemas'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import type { TeacherFile } from '../files/teachers'
import type { LaunchTeacher } from './run-jobs'

/** Refuses an unknown or non-sweepable field, a non-finite value, an empty axis, or too many points. */
export function checkSweepGrid(grid: Record<string, number[]>): number {
  let points = 1
  for (const [field, values] of Object.entries(grid)) {
    if (!(SWEEPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new ConfigError([
        { field, message: `cannot be swept; sweepable fields are ${SWEEPABLE_FIELDS.join(', ')}`, value: field },
      ])
    }
    if (!Array.isArray(values) || values.length === 0)
      throw new ConfigError([{ field, message: 'a sweep needs at least one value', value: values }])
    const bad = values.find((v) => typeof v !== 'number' || !Number.isFinite(v))
    if (bad !== undefined)
      throw new ConfigError([
        { field, message: `every swept value must be a finite number (got ${String(bad)})`, value: bad },
      ])
    points *= values.length
    if (points > MAX_SWEEP_POINTS) {
      throw new ConfigError([
        {
          field,
          message: `the grid has more than ${MAX_SWEEP_POINTS} points (the most one sweep may queue); sweep fewer values`,
          value: values.length,
        },
      ])
    }
  }
  return points
}

export function cartesian(grid: Record<string, number[]>): Array<Record<string, number>> {
  checkSweepGrid(grid)
  let points: Array<Record<string, number>> = [{}]
  for (const [field, values] of Object.entries(grid))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [field]: v })))
  return points
}

/** Sweep points checked or queued between two turns of the event loop. */
export const SWEEP_YIELD_EVERY = 10

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Every point of a grid as a checked config with its teacher's path and grid top, before any is queued; each teacher is
 * read once (`readTeacher`), the grid top checked per point (`checkTop`), and the event loop is let go now
 * and then so a long grid does not hold up other clients.
 */
export async function planSweep(
  base: Record<string, unknown>,
  grid: Record<string, number[]>,
  readTeacher: (config: DistillConfig) => Promise<TeacherFile>,
  checkTop: (config: DistillConfig, file: TeacherFile) => LaunchTeacher,
): Promise<Array<{ config: DistillConfig; teacher: LaunchTeacher }>> {
  checkSweepGrid(grid)
  const teachers = new Map<string, Promise<TeacherFile>>()
  const checked: Array<{ config: DistillConfig; teacher: LaunchTeacher }> = []
  for (const [i, point] of cartesian(grid).entries()) {
    const config = parseDistillConfig({ ...base, ...point })
    const key = JSON.stringify([config.teacher, config.dataset])
    if (!teachers.has(key)) teachers.set(key, readTeacher(config))
    checked.push({ config, teacher: checkTop(config, await (teachers.get(key) as Promise<TeacherFile>)) })
    if (i % SWEEP_YIELD_EVERY === SWEEP_YIELD_EVERY - 1) await yieldToEventLoop()
  }
  return checked
}
