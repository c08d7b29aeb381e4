import { describe, expect, it } from 'vitest'
import { stepAtIndex, stopIndex } from '../../src-renderer/lib/step-stops'

describe('step slider stops', () => {
  const stops = [0, 250, 500, 750]

  it('stands at the last stop at or below the step, and at the last stop when following the newest', () => {
    expect(stopIndex(stops, null)).toBe(3)
    expect(stopIndex(stops, 0)).toBe(0)
    expect(stopIndex(stops, 500)).toBe(2)
    expect(stopIndex(stops, 600)).toBe(2)
    expect(stopIndex([], null)).toBe(0)
  })

  it('maps an index to its step, clamped and rounded; the last stop follows the newest', () => {
    expect(stepAtIndex(stops, 1)).toBe(250)
    expect(stepAtIndex(stops, 1.6)).toBe(500)
    expect(stepAtIndex(stops, -4)).toBe(0)
    expect(stepAtIndex(stops, 3)).toBeNull()
    expect(stepAtIndex(stops, 99)).toBeNull()
    expect(stepAtIndex([], 0)).toBeUndefined()
  })

  it('round-trips every stop but the last, which means "newest"', () => {
    stops.forEach((s, i) => expect(stopIndex(stops, stepAtIndex(stops, i) ?? null)).toBe(i))
    expect(stepAtIndex(stops, stopIndex(stops, 250))).toBe(250)
  })
})
