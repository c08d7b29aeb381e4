import { describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { methodText } from '../../../src-renderer/lib/method-text'

describe('methodText from the effective config', () => {
  it('#16.2 an iCT run that asked mu 0.95 and uniform weighting says mu 0 and 1/gap, with what it asked', () => {
    const requested = parseDistillConfig({ algorithm: 'ict', numScales: 160, targetEma: 0.95, weighting: 'uniform' })
    expect(methodText(requested)).toBe('ict, N 160, λ 1/gap (asked λ 1), mu 0 (asked 0.95)')
    // A stored config, as the run history keeps it (no parse).
    expect(methodText({ algorithm: 'ict', numScales: 40, targetEma: 0.95 })).toBe(
      'ict, N 40, λ 1/gap, mu 0 (asked 0.95)',
    )
  })

  it('says nothing was overridden where nothing was', () => {
    expect(methodText(parseDistillConfig({ algorithm: 'ct', targetEma: 0.95, weighting: 'uniform' }))).toBe(
      'ct, N 18, λ 1, mu 0.95',
    )
  })
})
