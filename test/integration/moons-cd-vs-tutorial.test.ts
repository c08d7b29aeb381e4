/**
 * The integration check, end to end through the real `clab` command: on moons with the built-in
 * teacher, a short faithful CD run's one-step sample is far better (>= 10x lower sliced Wasserstein) than
 * the teacher's own one-step figure, and the walkthrough's loop run the same way is clearly worse than CD.
 */
import { describe, expect, it } from 'vitest'
import { clab, lastJsonLine } from '../helpers/cli'

type Metrics = Record<'data' | 'teacher' | 'student', Record<string, { swd: number }>>

const SHORT_RUN = ['--dataset', 'moons', '--steps', '200', '--eval-samples', '1000', '--backend', 'wasm', '--json']

/** CD at the quick preset's batch and lr: the default's batch of 1024 costs 4x per step for the same check. */
const QUICK_CD = ['--preset', 'quick']

async function distill(algorithm: string, extra: string[] = []): Promise<Metrics> {
  const result = await clab(['distill', ...SHORT_RUN, '--algorithm', algorithm, ...extra])
  expect(result.code, result.stderr).toBe(0)
  return lastJsonLine(result.stdout).metrics as Metrics
}

describe('faithful CD vs the walkthrough loop on moons (built-in teacher)', () => {
  it('CD beats the teacher one-step by >= 10x; the tutorial loop is clearly worse than CD', async () => {
    const [cd, tutorial] = await Promise.all([distill('cd', QUICK_CD), distill('tutorial')])
    const teacherOneStep = cd.teacher.nfe1?.swd as number
    const cdOneStep = cd.student.nfe1?.swd as number
    const tutorialOneStep = tutorial.student.nfe1?.swd as number
    // Reported for the log: the numbers behind the assertions.
    console.log(
      `sliced W: data floor ${cd.data.nfe0?.swd.toFixed(4)}, teacher 1-step ${teacherOneStep.toFixed(3)}, teacher 100-step ${cd.teacher.nfe100?.swd.toFixed(4)}, cd 1-step ${cdOneStep.toFixed(4)}, tutorial 1-step ${tutorialOneStep.toFixed(4)}`,
    )
    expect(cdOneStep * 10).toBeLessThanOrEqual(teacherOneStep)
    expect(tutorialOneStep).toBeGreaterThan(2 * cdOneStep)
    // 200 steps keep wide margins (measured 2026-12-05: teacher one-step 2.67, CD 0.096, the loop 4.06) at half
    // the time of 400; two CLI runs beside the rest of the suite took over the default 120 s on CI once.
  }, 300_000)
})
