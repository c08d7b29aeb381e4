/**
 * Incoming metric points checked and laid out as per-series columns, ready for the batched appends of
 * metrics-repo.ts.
 */
import type { MetricPoint } from '@shared/store/types'
import { StoreInputError } from './errors'
import { toDb } from './sql'

export interface Column {
  steps: number[]
  values: (number | null)[]
  walls: number[]
}

/** Validates and groups points by key, each group sorted by step with later duplicates winning. */
export function groupByKey(points: readonly MetricPoint[], now: number): Map<string, Column> {
  const byKey = new Map<string, Column>()
  for (const p of points) {
    if (typeof p.key !== 'string' || p.key.length === 0 || p.key.length > 128) {
      throw new StoreInputError(`metric key must be 1–128 characters (got ${JSON.stringify(p.key)})`)
    }
    if (!Number.isSafeInteger(p.step) || p.step < 0)
      throw new StoreInputError(`metric ${p.key}: step must be a non-negative integer (got ${p.step})`)
    if (typeof p.value !== 'number')
      throw new StoreInputError(`metric ${p.key} at step ${p.step}: value must be a number`)
    const wall = p.wallMs ?? now
    if (!Number.isSafeInteger(wall))
      throw new StoreInputError(`metric ${p.key} at step ${p.step}: wallMs must be an integer`)
    let c = byKey.get(p.key)
    if (c === undefined) byKey.set(p.key, (c = { steps: [], values: [], walls: [] }))
    c.steps.push(p.step)
    c.values.push(toDb(p.value))
    c.walls.push(wall)
  }
  for (const [key, c] of byKey) byKey.set(key, sortedUnique(c))
  return byKey
}

function sortedUnique(c: Column): Column {
  let increasing = true
  for (let i = 1; i < c.steps.length && increasing; i++)
    increasing = (c.steps[i] as number) > (c.steps[i - 1] as number)
  if (increasing) return c
  const order = c.steps.map((_, i) => i).sort((a, b) => (c.steps[a] as number) - (c.steps[b] as number) || a - b)
  const out: Column = { steps: [], values: [], walls: [] }
  for (const i of order) {
    const last = out.steps.length - 1
    if (last >= 0 && out.steps[last] === c.steps[i]) {
      out.values[last] = c.values[i] as number | null
      out.walls[last] = c.walls[i] as number
    } else {
      out.steps.push(c.steps[i] as number)
      out.values.push(c.values[i] as number | null)
      out.walls.push(c.walls[i] as number)
    }
  }
  return out
}
