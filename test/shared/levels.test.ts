import { describe, expect, it } from 'vitest'
import { makeSchedule, nearestLevel, nearestStep, uniformStepGrid } from '@shared/cd/schedule'

describe('nearestLevel', () => {
  const schedule = makeSchedule('linear', 1000)
  const grid = uniformStepGrid(1000, 18)

  it('snaps a sigma to the closest trained level, not to any teacher step', () => {
    const k = nearestLevel(schedule, grid, 0.8)
    expect(grid).toContain(k)
    expect(schedule.sigma[k]).toBeCloseTo(0.883, 2)
    // nearestStep would pick an untrained step right at 0.8.
    expect(grid).not.toContain(nearestStep(schedule, 0.8))
  })

  it('handles the ends of the grid', () => {
    expect(nearestLevel(schedule, grid, 1e-6)).toBe(0)
    expect(nearestLevel(schedule, grid, 1e6)).toBe(999)
  })
})
