import { describe, expect, it } from 'vitest'
import { makeSchedule, walkthroughStep, walkthroughStepGrid } from '@shared/cd/schedule'
import { levelSteps } from '@shared/config/effective'

describe("the walkthrough's levels", () => {
  it('#16.3 every pair its loop trains on is two neighbouring levels of the grid it samples on (or one level twice at the clamp)', () => {
    for (const [T, N] of [
      [1000, 4],
      [1000, 18],
      [1000, 1000],
      [1000, 1700],
      [100, 7],
      [10, 40],
    ] as const) {
      const grid = walkthroughStepGrid(T, N)
      for (let n = 1; n < N; n++) {
        const lo = grid.indexOf(walkthroughStep(n, T, N))
        const hi = grid.indexOf(walkthroughStep(n + 1, T, N))
        expect(lo).toBeGreaterThanOrEqual(0)
        expect([0, 1]).toContain(hi - lo)
      }
      expect(grid[grid.length - 1]).toBe(T - 1)
    }
  })

  it("#16.3 is the effective config's level grid for the tutorial algorithm (one builder)", () => {
    const schedule = makeSchedule('linear', 1000)
    for (const N of [2, 4, 18, 1500])
      expect(levelSteps({ algorithm: 'tutorial', grid: 'karras' }, schedule, N)).toEqual(walkthroughStepGrid(1000, N))
    expect(walkthroughStepGrid(1000, 4)).toEqual([250, 500, 750, 999])
  })
})
