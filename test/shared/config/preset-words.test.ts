import { describe, expect, it } from 'vitest'
import { PRESETS } from '@shared/config/presets'

describe('#19 presets say what they are, in words', () => {
  it("item 19: the walkthrough preset says it is the walkthrough's hyperparameters on faithful CD, next to tutorial", () => {
    const w = PRESETS.walkthrough
    // It does not choose the algorithm, so it runs the default, faithful CD.
    expect('algorithm' in w.values).toBe(false)
    expect(w.label).toMatch(/walkthrough's hyperparameters on faithful CD/)
    expect(w.label).toMatch(/tutorial/)
    expect(w.why).toMatch(/faithful CD/)
    expect(w.why).toMatch(/"tutorial"/)
  })

  it('item 15: no preset text names an internal constant (DISTILL_DEFAULTS and the like)', () => {
    for (const p of Object.values(PRESETS)) {
      expect(`${p.label} ${p.why}`).not.toMatch(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/)
    }
  })
})
