import { describe, expect, it } from 'vitest'
import { etaMs, formatDuration, formatRate, stepsPerSecond } from '../../../src-renderer/lib/eta'

describe('speed and ETA', () => {
  it('measures steps per second over the recent window, in any order', () => {
    const points = [
      { step: 300, wallMs: 3000 },
      { step: 100, wallMs: 1000 },
      { step: 200, wallMs: 2000 },
    ]
    expect(stepsPerSecond(points)).toBeCloseTo(100)
  })

  it('ignores points older than the window (a pause earlier does not slow the figure down)', () => {
    const points = [
      { step: 0, wallMs: 0 },
      { step: 100, wallMs: 100_000 },
      { step: 200, wallMs: 101_000 },
    ]
    expect(stepsPerSecond(points, 30_000)).toBeCloseTo(100)
    expect(stepsPerSecond(points, 1_000_000)).toBeCloseTo(200 / 101)
  })

  it('has no speed without two distinct times and steps', () => {
    expect(stepsPerSecond([])).toBeNull()
    expect(stepsPerSecond([{ step: 5, wallMs: 10 }])).toBeNull()
    expect(
      stepsPerSecond([
        { step: 5, wallMs: 10 },
        { step: 6, wallMs: 10 },
      ]),
    ).toBeNull()
  })

  it('computes the time left from the speed', () => {
    expect(etaMs(1000, 3000, 100)).toBe(20_000)
    expect(etaMs(3000, 3000, 100)).toBe(0)
    expect(etaMs(0, 3000, null)).toBeNull()
    expect(etaMs(0, 3000, 0)).toBeNull()
  })

  it('formats durations and rates', () => {
    expect(formatDuration(45_000)).toBe('45 s')
    expect(formatDuration(200_000)).toBe('3 min 20 s')
    expect(formatDuration(7_500_000)).toBe('2 h 05 min')
    expect(formatDuration(null)).toBe('—')
    expect(formatRate(123.4)).toBe('123')
    expect(formatRate(12.34)).toBe('12.3')
    expect(formatRate(1.234)).toBe('1.23')
    expect(formatRate(null)).toBe('—')
  })
})
