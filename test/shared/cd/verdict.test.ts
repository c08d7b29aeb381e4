/**
 * #19.2 The verdict on a finished run: figures from real moons runs (the built-in teacher's one-step sliced W
 * is 2.94; `--algorithm tutorial --steps 1500` ended with a one-step 790, a 30-step default run with 0.62).
 */
import { describe, expect, it } from 'vitest'
import { DIVERGED_LOSS_FACTOR, DIVERGED_QUALITY_FACTOR, judgeRun, type VerdictRow } from '@shared/cd/verdict'

const TEACHER: VerdictRow[] = [
  { model: 'data', nfe: 0, swd: 0.00997 },
  { model: 'teacher', nfe: 1, swd: 2.94 },
  { model: 'teacher', nfe: 10, swd: 0.0835 },
  { model: 'teacher', nfe: 100, swd: 0.0212 },
]
const student = (swds: number[]): VerdictRow[] =>
  swds.map((swd, i) => ({ model: 'student', nfe: [1, 2, 4, 8][i] as number, swd }))
const flat = Array.from({ length: 100 }, (_, i) => 1 / (1 + i / 10))

describe('#19 judgeRun', () => {
  it('#19 flags a student far worse than the teacher in one step (the tutorial run), naming the figures', () => {
    const verdict = judgeRun({ rows: [...TEACHER, ...student([790, 179, 76.6, 24.8])], losses: flat })
    expect(verdict?.verdict).toBe('diverged')
    expect(verdict?.reason).toContain('790')
    expect(verdict?.reason).toContain('2.94')
    expect(verdict?.reason).toContain('one-step')
  })

  it('#19 names the fewest steps over the limit: one step for lr 1 on moons (263; 8 steps 5.15e21)', () => {
    const verdict = judgeRun({ rows: [...TEACHER, ...student([263, 1e3, 1e9, 5.15e21])], losses: flat })
    expect(verdict?.reason).toBe("the one-step sliced W 263 is 89.5x the teacher's one-step 2.94 (more than 10x)")
  })

  it('#19 flags a blow-up at any NFE (lr 1: the 8-step figure 6.8e27) and a non-finite figure', () => {
    const verdict = judgeRun({ rows: [...TEACHER, ...student([3, 2, 1, 6.8e27])], losses: flat })
    expect(verdict?.reason).toContain('8-step')
    expect(verdict?.reason).toContain('6.80e+27')
    expect(judgeRun({ rows: [...TEACHER, ...student([0.5, Number.NaN])], losses: flat })?.reason).toContain('NaN')
  })

  it('#19 passes a student within the factor of the teacher, however rough', () => {
    expect(judgeRun({ rows: [...TEACHER, ...student([0.62, 0.24, 0.077, 0.068])], losses: flat })).toBeNull()
    const edge = DIVERGED_QUALITY_FACTOR * 2.94
    expect(judgeRun({ rows: [...TEACHER, ...student([edge])], losses: flat })).toBeNull()
    expect(judgeRun({ rows: [...TEACHER, ...student([edge * 1.01])], losses: flat })?.verdict).toBe('diverged')
  })

  it('#19 flags a loss grown by orders of magnitude (medians of the first and last tenth), not a noisy one', () => {
    const grown = Array.from({ length: 100 }, (_, i) => (i < 50 ? 0.01 : 0.01 * DIVERGED_LOSS_FACTOR * 2))
    const verdict = judgeRun({ rows: [], losses: grown })
    expect(verdict?.verdict).toBe('diverged')
    expect(verdict?.reason).toMatch(/loss grew 2000x/)
    // One spike at the end is not a level: the median of the last tenth ignores it.
    const spike = [...flat.slice(0, 99), 1e6]
    expect(judgeRun({ rows: [], losses: spike })).toBeNull()
    expect(judgeRun({ rows: [], losses: [...flat, Number.POSITIVE_INFINITY] })?.reason).toContain('Infinity')
    expect(judgeRun({ rows: [], losses: [] })).toBeNull()
  })

  it('#19 without teacher rows only the loss and non-finite figures count', () => {
    expect(judgeRun({ rows: student([790]), losses: flat })).toBeNull()
  })
})
