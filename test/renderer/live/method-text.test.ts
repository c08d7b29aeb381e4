import { describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { PRESETS } from '@shared/config/presets'
import { parseDistillConfig } from '@shared/config/validate'
import { methodText } from '../../../src-renderer/lib/method-text'

describe('methodText', () => {
  it('says how the default preset and the single-step CD solve each hop and weight the loss', () => {
    expect(methodText(DISTILL_DEFAULTS)).toBe(
      `cd, N ${DISTILL_DEFAULTS.numScales}, teacher heun in ${DISTILL_DEFAULTS.teacherSubsteps} substeps per hop, λ 1/gap, top pair ${DISTILL_DEFAULTS.topPairShare * 100}% of each batch, its target the teacher's solve to σ_min, replayed ${DISTILL_DEFAULTS.topPairReplay}x from the last 256 steps, σ_max ${DISTILL_DEFAULTS.sigmaMax}, mu 0`,
    )
    expect(methodText(parseDistillConfig({ ...PRESETS['cd-single-step'].values }))).toBe(
      'cd, N 18, teacher heun per hop, λ 1, mu 0',
    )
  })

  it('leaves out the teacher where there is none, and shows what ict and the walkthrough fix', () => {
    expect(methodText(parseDistillConfig({ algorithm: 'ict', numScales: 160 }))).toBe('ict, N 160, λ 1/gap, mu 0')
    expect(methodText(parseDistillConfig({ algorithm: 'tutorial' }))).toBe('tutorial, N 18, mu 0.99')
    expect(methodText(parseDistillConfig({ algorithm: 'tutorial', topPairShare: 0.5 }))).toBe('tutorial, N 18, mu 0.99')
    expect(methodText(parseDistillConfig({ algorithm: 'ict', numScales: 160, topPairShare: 0.25 }))).toBe(
      'ict, N 160, λ 1/gap, top pair 25% of each batch, mu 0',
    )
  })

  it("#17 names the top share's target only where it is the teacher's solve to sigma_min", () => {
    expect(methodText({ ...DISTILL_DEFAULTS, topPairTarget: 'next-level' })).toContain(
      'top pair 25% of each batch, σ_max',
    )
    expect(methodText({ ...DISTILL_DEFAULTS, topPairShare: 0 })).not.toContain('σ_min')
    expect(
      methodText(parseDistillConfig({ algorithm: 'ict', topPairShare: 0.25, topPairTarget: 'sigma-min' })),
    ).toContain('top pair 25% of each batch, mu 0')
    expect(methodText({ ...DISTILL_DEFAULTS, topPairShare: 0.25, topPairReplay: 8 })).toContain(
      "top pair 25% of each batch, its target the teacher's solve to σ_min, replayed 8x from the last 256 steps, σ_max",
    )
    expect(methodText({ ...DISTILL_DEFAULTS, topPairTarget: 'next-level', topPairReplay: 8 })).not.toContain('replayed')
  })

  it("leaves out sigma_max where the grid runs to the teacher's last step", () => {
    expect(methodText({ ...DISTILL_DEFAULTS, sigmaMax: null })).not.toContain('σ_max')
    expect(methodText({ ...DISTILL_DEFAULTS, sigmaMax: 40 })).toContain('σ_max 40, mu 0')
  })

  it('reads a run stored before substeps, weighting and the top pair share existed, and an empty config', () => {
    expect(methodText({ algorithm: 'cd', numScales: 18, solver: 'heun', targetEma: 0.95 })).toBe(
      'cd, N 18, teacher heun per hop, mu 0.95',
    )
    expect(methodText({})).toBe('—, N —, mu —')
  })
})
