import { describe, expect, it } from 'vitest'
import {
  missedGoals,
  missedTeacherGoal,
  qualityTable,
  QUALITY_GOAL,
  type QualityRow,
} from '../../scripts/quality-summary'

const support = (precision: number, recall: number, offSupport: number, swd: number) => ({
  precision,
  recall,
  offSupport,
  swd,
})

/** moons, seed 0, the default preset (engine, 2026-12-05). */
const measured: QualityRow = {
  dataset: 'moons',
  seed: 0,
  steps: 3000,
  floor: support(0.994, 0.993, 0.004, 0.01),
  teacher: support(0.97, 0.985, 0.023, 0.0177),
  nfe1: support(0.864, 0.999, 0.112, 0.0243),
  nfe2: support(0.926, 0.996, 0.05, 0.0202),
}

describe('#17 npm run quality: the goal checked per dataset and seed', () => {
  it('a row that meets every part says so', () => {
    expect(missedGoals(measured)).toEqual([])
    expect(qualityTable([measured]).split('\n')[1]).toMatch(/moons\s+0\s+3000 .* 1\.37x\s+0\.926 met$/)
  })

  it('each part of the goal is checked on its own, at its bound', () => {
    const at = (patch: Partial<QualityRow>) => missedGoals({ ...measured, ...patch })
    expect(at({ nfe1: { ...measured.nfe1, precision: QUALITY_GOAL.oneStepPrecision } })).toEqual([])
    expect(at({ nfe1: { ...measured.nfe1, precision: 0.849 } })).toEqual(['one-step precision 0.849 < 0.85'])
    expect(at({ nfe1: { ...measured.nfe1, recall: 0.89 } })).toEqual(['one-step recall 0.890 < 0.9'])
    expect(at({ nfe2: { ...measured.nfe2, precision: 0.899 } })).toEqual(['two-step precision 0.899 < 0.9'])
    expect(at({ nfe1: { ...measured.nfe1, swd: 0.0177 * 2.6 } })).toEqual(['SWD 2.60x > 2.5x'])
  })

  it("the teacher's own goal (DDIM-100 at 0.96 / 0.96 / 3 %) is checked in the same column", () => {
    expect(missedTeacherGoal(measured)).toEqual([])
    const weak = { ...measured, teacher: support(0.95, 0.97, 0.031, 0.0177) }
    expect(missedTeacherGoal(weak)).toEqual(['teacher precision 0.950 < 0.96', 'teacher off-support 3.1% > 3%'])
    expect(missedGoals(weak)).toEqual([])
    expect(qualityTable([weak]).split('\n')[1]).toMatch(/missed: teacher precision 0\.950 < 0\.96; teacher off-support/)
    expect(missedTeacherGoal({ ...measured, teacher: { ...measured.teacher, recall: undefined } })).toEqual([
      'teacher recall - < 0.96',
    ])
  })

  it('a missing or non-finite figure is a miss, not a pass', () => {
    expect(missedGoals({ ...measured, nfe1: { ...measured.nfe1, precision: undefined } })).toEqual([
      'one-step precision - < 0.85',
    ])
    expect(missedGoals({ ...measured, nfe1: { ...measured.nfe1, swd: Number.NaN } })).toEqual(['SWD NaNx > 2.5x'])
    expect(qualityTable([{ ...measured, nfe2: { ...measured.nfe2, precision: Number.NaN } }])).toContain(
      'missed: two-step precision - < 0.9',
    )
  })
})
