import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { DATA_2D } from '../../src-main/engine/data-source'
import { Distiller } from '../../src-main/engine/distiller'
import { teacherSolveOf } from '../../src-main/engine/teacher-ode'
import type { TeacherModel } from '../../src-main/engine/teacher-model'
import { stepLosses } from '../helpers/train'
import { tf } from '../../src-main/engine/tf'
import { parameterCount } from '../../src-main/engine/weights'
import { TargetSideThread } from '../../src-main/trainer-host/target-side-thread'
import { randomTeacher, useCpu } from '../helpers/engine'

let teacher: TeacherModel
beforeAll(async () => {
  await useCpu()
  teacher = randomTeacher()
})
afterAll(() => teacher.weights.dispose())

/** The thread's options for a run of `config`, its solve as run-job.ts makes it (the top share's way down included). */
const options = (config = parseDistillConfig({ batch: 16, solver: 'ddim', teacherSubsteps: 1 })) => ({
  backend: 'cpu' as const,
  teacher,
  data: DATA_2D,
  solve: teacherSolveOf(config, teacher.schedule),
  sigmaData: config.sigmaData,
  batch: config.batch,
})

describe('TargetSideThread (a real worker thread with its own tfjs)', () => {
  it.each([
    ['ddim', 1, 'sigma-min', 0],
    ['heun', 1, 'sigma-min', 0],
    ['heun', 3, 'sigma-min', 0],
    ['heun', 3, 'next-level', 0],
    ['heun', 2, 'sigma-min', 2],
  ] as const)(
    '%s, %i substep(s) per hop, top share against %s, replayed %ix: a Distiller using it gives the loss sequence of one without, and leaks nothing here',
    async (solver, teacherSubsteps, topPairTarget, topPairReplay) => {
      const config = parseDistillConfig({
        batch: 16,
        steps: 10,
        numScales: 10,
        solver,
        teacherSubsteps,
        topPairTarget,
        topPairReplay,
        targetEma: 0.5,
      })
      const inline = new Distiller(config, teacher, 'cpu')
      const expected = await stepLosses(inline, config.steps)
      inline.dispose()

      const thread = await TargetSideThread.start(options(config))
      try {
        const distiller = new Distiller(config, teacher, 'cpu')
        distiller.offloadTargetSide(thread)
        const got = await stepLosses(distiller, 2)
        const before = tf.memory().numTensors
        got.push(...(await stepLosses(distiller, config.steps - 2)))
        expect(tf.memory().numTensors).toBe(before)
        expect(got).toHaveLength(config.steps)
        expect(got).toEqual(expected)
        distiller.dispose()
      } finally {
        await thread.close()
      }
    },
  )

  it("reports the worker's own error on the next call, and refuses calls once closed", async () => {
    const thread = await TargetSideThread.start(options())
    const size = parameterCount(teacher.weights.variables())
    // A target before any teacher step is a protocol error the worker's CdTargetSide refuses.
    thread.submitTarget(new Float32Array(size), null)
    expect(() => thread.takeTarget()).toThrow(/target-side thread failed: target requested before any teacher step/)
    await thread.close()
    expect(() => thread.takeTarget()).toThrow(/closed/)
  })

  it('fails to start with the reason when its backend cannot load', async () => {
    await expect(TargetSideThread.start({ ...options(), backend: 'node-gpu' })).rejects.toThrow(
      /target-side thread: .*node-gpu|tfjs-node-gpu/,
    )
  })
})
