import { describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { parseDistillConfig } from '@shared/config/validate'

describe('default warm-up', () => {
  it('is at most a tenth of a short run, and stays as given when set', () => {
    expect(parseDistillConfig({}).warmupSteps).toBe(DISTILL_DEFAULTS.warmupSteps)
    expect(parseDistillConfig({ steps: 50 }).warmupSteps).toBe(5)
    expect(parseDistillConfig({ steps: 50000 }).warmupSteps).toBe(DISTILL_DEFAULTS.warmupSteps)
    expect(parseDistillConfig({ steps: 50, warmupSteps: 20 }).warmupSteps).toBe(20)
    expect(() => parseDistillConfig({ steps: 50, warmupSteps: 60 })).toThrow(
      /warmupSteps: must not exceed steps \(50\) \(got 60\)/,
    )
  })
})
