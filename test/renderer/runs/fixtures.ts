import type { LastMetric } from '@shared/store/types'
import type { RunRow } from '../../../src-renderer/lib/runs-table'
import { makeRun } from '../fake-api'

/** A listed distill run; `config` fields and metrics override the defaults. */
export function makeRow(id: string, over: Partial<RunRow> = {}, config: Record<string, unknown> = {}): RunRow {
  return {
    ...makeRun({ id, createdAt: 1_000, startedAt: 1_000, finishedAt: 61_000 }),
    lastMetrics: {},
    config: {
      dataset: 'moons',
      algorithm: 'cd',
      numScales: 18,
      targetEma: 0,
      lr: 1e-3,
      loss: 'l2',
      solver: 'heun',
      steps: 3000,
      backend: 'auto',
      ...config,
    },
    ...over,
  }
}

export const metric = (value: number, step = 100): LastMetric => ({ value, step })

export { fakeApi } from '../fake-api'
