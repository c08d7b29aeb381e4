/**
 * The issue's integration check, end to end through the real `clab` command: on moons with the built-in
 * teacher, a short faithful CD run's one-step sample is far better (>= 10x lower sliced Wasserstein) than
 * the teacher's own one-step figure, and the walkthrough's loop run the same way is clearly worse than CD; on
 * precision against held-out data too (#17), which SWD alone would not see.
 */
import { describe, expect, it } from 'vitest'
import { clab, lastJsonLine } from '../helpers/cli'

type Metrics = Record<
  'data' | 'teacher' | 'student',
  Record<string, { swd: number; precision: number; recall: number }>
>

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
    const support = (m: Metrics, model: 'data' | 'teacher' | 'student', nfe: number) =>
      `${m[model][`nfe${nfe}`]?.precision.toFixed(3)} / ${m[model][`nfe${nfe}`]?.recall.toFixed(3)}`
    console.log(
      `precision / recall: floor ${support(cd, 'data', 0)}, teacher 100-step ${support(cd, 'teacher', 100)}, cd 1-step ${support(cd, 'student', 1)}, cd 2-step ${support(cd, 'student', 2)}, tutorial 1-step ${support(tutorial, 'student', 1)}`,
    )
    expect(cdOneStep * 10).toBeLessThanOrEqual(teacherOneStep)
    expect(tutorialOneStep).toBeGreaterThan(2 * cdOneStep)
    // #17: SWD sees the marginals; precision sees whether the samples lie on the moons. Measured 2026-12-06:
    // CD 0.429 at one step after these 200 steps (0.949 after the default preset's 3000), the loop 0.004, the
    // teacher 0.980. A distillation that lost the data's structure (a broken boundary condition, a wrong
    // target) falls to the loop's figure while its SWD can still pass.
    expect(cd.student.nfe1?.precision).toBeGreaterThan(0.3)
    expect(tutorial.student.nfe1?.precision).toBeLessThan(0.1)
    expect(cd.teacher.nfe100?.precision).toBeGreaterThan(0.96)
    // 200 steps keep wide margins (measured 2026-12-05: teacher one-step 2.67, CD 0.096, the loop 4.06) at half
    // the time of 400; two CLI runs beside the rest of the suite took over the default 120 s on CI once.
  }, 300_000)
})
