import { beforeAll, describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { cdStepGrid, nearestStep } from '@shared/cd/schedule'
import type { DistillConfig } from '@shared/config/schemas'
import {
  CdTargetSide,
  teacherSolveOf,
  type TargetSideOffload,
  type TeacherStepInput,
} from '../../src-main/engine/cd-target-side'
import { Distiller } from '../../src-main/engine/distiller'
import { dataSource2D } from '../../src-main/engine/data-source'
import { CallbackReporter } from '../../src-main/trainer-host/callback-reporter'
import { DistillSegment, type SegmentInputs } from '../../src-main/trainer-host/distill-segment'
import { runTrainingLoop } from '../../src-main/trainer-host/training-loop'
import type { DistillHeader, Snapshot } from '../../src-main/engine/snapshot'
import type { TeacherModel } from '../../src-main/engine/teacher-model'
import { stepLosses } from '../helpers/train'
import { tf } from '../../src-main/engine/tf'
import { parameterCount } from '../../src-main/engine/weights'
import { decodeCheckpoint, encodeCheckpoint } from '../../src-main/files/checkpoint-file'
import { randomTeacher, useCpu } from '../helpers/engine'

beforeAll(useCpu)

/**
 * The offload protocol run synchronously on this thread (the worker thread runs the same CdTargetSide):
 * inputs are copied as the shared memory would copy them, and it records what it was asked.
 */
class InThreadOffload implements TargetSideOffload {
  readonly side: CdTargetSide
  private ready: Float32Array | null = null
  calls: string[] = []
  /** The batches it was sent, as drawn. */
  inputs: TeacherStepInput[] = []

  constructor(teacher: TeacherModel, config: DistillConfig) {
    this.side = new CdTargetSide(teacher, teacherSolveOf(config, teacher.schedule), config.sigmaData)
  }

  submitTeacherStep(next: TeacherStepInput): void {
    this.calls.push('teacher')
    this.inputs.push(copy(next))
    this.side.teacherStep(copy(next))
  }

  submitTarget(targetWeights: Float32Array, next: TeacherStepInput | null): void {
    this.calls.push(next ? 'target+teacher' : 'target')
    this.ready = this.side.target(targetWeights.slice())
    if (next) this.inputs.push(copy(next))
    if (next) this.side.teacherStep(copy(next))
  }

  takeTarget(): Float32Array {
    if (!this.ready) throw new Error('takeTarget before submitTarget')
    const out = this.ready
    this.ready = null
    return out
  }
}

function copy(input: TeacherStepInput): TeacherStepInput {
  return {
    xStudent: input.xStudent.slice(),
    studentSteps: input.studentSteps.slice(),
    targetSteps: input.targetSteps.slice(),
  }
}

const small = { batch: 16, steps: 12, numScales: 10, evalSamples: 64, lrSchedule: 'cosine', warmupSteps: 3 } as const

function losses(distiller: Distiller, n: number): Promise<number[]> {
  return stepLosses(distiller, n)
}

describe('CD with the teacher step and target network offloaded', () => {
  it.each([
    ['Euler, target = online weights', { solver: 'ddim', targetEma: 0 }],
    ['Heun, target EMA 0.95', { solver: 'heun', targetEma: 0.95 }],
    ['Heun in 3 substeps per hop', { solver: 'heun', teacherSubsteps: 3, targetEma: 0 }],
    ['a quarter of each batch at the top pair', { solver: 'heun', topPairShare: 0.25, targetEma: 0 }],
    [
      'the top share against the next level',
      { solver: 'heun', topPairShare: 0.25, topPairTarget: 'next-level', targetEma: 0 },
    ],
  ] as const)('%s: the same loss sequence and weights as inline', async (_label, overrides) => {
    const teacher = randomTeacher()
    const config = parseDistillConfig({ ...small, ...overrides })
    const inline = new Distiller(config, teacher, 'cpu')
    const offloaded = new Distiller(config, teacher, 'cpu')
    const offload = new InThreadOffload(teacher, config)
    offloaded.offloadTargetSide(offload)

    expect(await losses(offloaded, config.steps)).toEqual(await losses(inline, config.steps))
    expect(await offloaded.evalEma.toArrays()).toEqual(await inline.evalEma.toArrays())
    // First step inline with the next teacher step sent off; then one target (+ next teacher step) per
    // step; none for a step past the end.
    expect(offload.calls).toEqual(['teacher', ...Array<string>(config.steps - 2).fill('target+teacher'), 'target'])
    for (const d of [inline, offloaded]) d.dispose()
    offload.side.dispose()
    teacher.weights.dispose()
  })

  it.each([
    [40, null],
    [null, null],
    [1e5, /sigmaMax 100000 is above the teacher's largest sigma 157\.4 \(its last step\)/],
  ] as const)(
    'sigmaMax %s: the grid and every drawn pair end at the teacher step nearest it (null: the last step)',
    async (sigmaMax, refusal) => {
      const teacher = randomTeacher()
      const config = parseDistillConfig({ ...small, batch: 32, steps: 6, numScales: 5, topPairShare: 0.5, sigmaMax })
      if (refusal) {
        expect(() => new Distiller(config, teacher, 'cpu')).toThrow(refusal)
        teacher.weights.dispose()
        return
      }
      const distiller = new Distiller(config, teacher, 'cpu')
      const offload = new InThreadOffload(teacher, config)
      distiller.offloadTargetSide(offload)
      await losses(distiller, config.steps)
      const schedule = teacher.schedule
      const top = sigmaMax === null ? schedule.numSteps - 1 : nearestStep(schedule, sigmaMax)
      expect(config.grid).toBe('karras')
      expect(distiller.trainedSteps()).toEqual(cdStepGrid(schedule, 5, 'karras', sigmaMax))
      expect(distiller.trainedSteps()[4]).toBe(top)
      if (sigmaMax !== null) expect(Math.abs((schedule.sigma[top] as number) - sigmaMax)).toBeLessThan(1)
      for (const input of offload.inputs) {
        expect(Math.max(...input.studentSteps)).toBe(top)
        expect(input.studentSteps[0]).toBe(top)
      }
      distiller.dispose()
      offload.side.dispose()
      teacher.weights.dispose()
    },
  )

  it.each([0, 0.25, 0.5])(
    'topPairShare %s: that share of every batch is drawn at the top pair, the rest uniformly over all pairs',
    async (share) => {
      const teacher = randomTeacher()
      const config = parseDistillConfig({ ...small, batch: 64, steps: 40, topPairShare: share })
      const distiller = new Distiller(config, teacher, 'cpu')
      const offload = new InThreadOffload(teacher, config)
      distiller.offloadTargetSide(offload)
      await losses(distiller, config.steps)
      const levels = distiller.trainedSteps()
      const top = levels[levels.length - 1] as number
      const pairs = levels.length - 1
      const atTop = Math.round(share * config.batch)
      let topCount = 0
      let drawn = 0
      for (const input of offload.inputs) {
        expect(input.studentSteps).toHaveLength(config.batch)
        // The fixed share leads every batch, its target the teacher's solve down to the grid's bottom (the
        // default topPairTarget, sigma-min); each other example's target is the next level down.
        for (let b = 0; b < atTop; b++) expect(input.studentSteps[b]).toBe(top)
        for (let b = 0; b < atTop; b++) expect(input.targetSteps[b]).toBe(levels[0])
        input.studentSteps.forEach((hi, b) => {
          if (b >= atTop) expect(input.targetSteps[b]).toBe(levels[levels.indexOf(hi) - 1])
          if (b >= atTop) {
            drawn++
            if (hi === top) topCount++
          }
        })
      }
      expect(offload.inputs).toHaveLength(config.steps - 1)
      // The rest are uniform over the N - 1 pairs, the top one included (binomial, 5 standard deviations).
      const p = 1 / pairs
      expect(Math.abs(topCount - drawn * p)).toBeLessThan(5 * Math.sqrt(drawn * p * (1 - p)))
      distiller.dispose()
      offload.side.dispose()
      teacher.weights.dispose()
    },
  )

  it('may take over between any two steps: the same losses and weights as inline', async () => {
    const teacher = randomTeacher()
    const config = parseDistillConfig({ ...small, solver: 'heun', targetEma: 0.95 })
    const inline = new Distiller(config, teacher, 'cpu')
    const late = new Distiller(config, teacher, 'cpu')
    const offload = new InThreadOffload(teacher, config)
    const before = await losses(late, 5)
    late.offloadTargetSide(offload)

    expect([...before, ...(await losses(late, config.steps - 5))]).toEqual(await losses(inline, config.steps))
    expect(await late.evalEma.toArrays()).toEqual(await inline.evalEma.toArrays())
    // Step 6 inline with step 7's teacher step sent off, then the other thread's targets.
    expect(offload.calls).toEqual(['teacher', ...Array<string>(config.steps - 5 - 2).fill('target+teacher'), 'target'])
    for (const d of [inline, late]) d.dispose()
    offload.side.dispose()
    teacher.weights.dispose()
  })

  it('the training loop asks for the other thread until it is ready and hands over at a yield, numbers unchanged', async () => {
    const teacher = randomTeacher()
    // Long enough to yield to the event loop (every 50 ms) at least once.
    const config = parseDistillConfig({
      ...small,
      steps: 400,
      sampleEvery: 0,
      checkpointEvery: 0,
      solver: 'ddim',
      targetEma: 0,
    })
    // The trainer host's own path: a DistillSegment stepped by the one training loop, as run-job.ts does.
    const run = async (inputs: Pick<SegmentInputs, 'targetSide' | 'onTargetSideAttached'>) => {
      const seen: number[] = []
      const segment = new DistillSegment(config, teacher, 'cpu', undefined, {
        data: dataSource2D(config.dataset),
        onReferenceProgress: () => {},
        previews: false,
        ...inputs,
      })
      const none = async () => {}
      try {
        const end = await runTrainingLoop(
          new CallbackReporter('target-side-test', (r) => seen.push(r.loss)),
          config.steps,
          { checkpointEvery: 0, checkpointLast: false, evalEvery: 0, sampleEvery: 0 },
          {
            trainee: () => segment,
            checkpoint: none,
            preview: none,
            previewStart: none,
            afterYield: () => segment.attachTargetSide(),
          },
        )
        expect(end.status).toBe('finished')
      } finally {
        segment.dispose()
      }
      return seen
    }
    const offload = new InThreadOffload(teacher, config)
    let asked = 0
    const attached: number[] = []
    const withThread = await run({
      targetSide: () => (++asked === 1 ? null : offload),
      onTargetSideAttached: (step) => attached.push(step),
    })
    expect(withThread).toEqual(await run({}))
    expect(asked).toBe(2)
    expect(attached).toHaveLength(1)
    expect(attached[0]).toBeGreaterThan(0)
    expect(attached[0]).toBeLessThan(config.steps)
    expect(offload.calls.filter((c) => c === 'teacher')).toHaveLength(1)
    offload.side.dispose()
    teacher.weights.dispose()
  })

  it('a checkpoint taken with a batch drawn ahead resumes bit-for-bit, with or without the offload', async () => {
    const teacher = randomTeacher()
    const config = parseDistillConfig(small)
    const full = await losses(new Distiller(config, teacher, 'cpu'), config.steps)

    const first = new Distiller(config, teacher, 'cpu')
    const offload = new InThreadOffload(teacher, config)
    first.offloadTargetSide(offload)
    const head = await losses(first, 5)
    const snapshot = decodeCheckpoint(encodeCheckpoint(await first.snapshot())) as Snapshot<DistillHeader>
    first.dispose()

    const resumedInline = new Distiller(config, teacher, 'cpu', snapshot)
    expect([...head, ...(await losses(resumedInline, config.steps - 5))]).toEqual(full)
    resumedInline.dispose()

    // A paused run's offload still holds the look-ahead batch; the resumed Distiller starts afresh.
    const resumedOffloaded = new Distiller(config, teacher, 'cpu', snapshot)
    resumedOffloaded.offloadTargetSide(offload)
    expect([...head, ...(await losses(resumedOffloaded, config.steps - 5))]).toEqual(full)
    resumedOffloaded.dispose()
    offload.side.dispose()
    teacher.weights.dispose()
  })

  it('leaks no tensors per step, on either side', async () => {
    const teacher = randomTeacher()
    const config = parseDistillConfig({ ...small, steps: 100 })
    const distiller = new Distiller(config, teacher, 'cpu')
    const offload = new InThreadOffload(teacher, config)
    distiller.offloadTargetSide(offload)
    await losses(distiller, 2)
    const before = tf.memory().numTensors
    await losses(distiller, 6)
    expect(tf.memory().numTensors).toBe(before)
    distiller.dispose()
    offload.side.dispose()
    teacher.weights.dispose()
  })

  it('is ignored by the algorithms that never call the teacher', async () => {
    const teacher = randomTeacher()
    for (const algorithm of ['ct', 'ict', 'tutorial'] as const) {
      const config = parseDistillConfig({ ...small, algorithm })
      const distiller = new Distiller(config, teacher, 'cpu')
      const offload = new InThreadOffload(teacher, config)
      distiller.offloadTargetSide(offload)
      await losses(distiller, 3)
      expect(offload.calls).toEqual([])
      distiller.dispose()
      offload.side.dispose()
    }
    teacher.weights.dispose()
  })

  it('CdTargetSide refuses a target before any teacher step, and weights of the wrong size', async () => {
    const teacher = randomTeacher()
    const side = new CdTargetSide(teacher, { solver: 'ddim', substeps: 1 }, 0.5)
    const size = parameterCount(teacher.weights.variables())
    expect(() => side.target(new Float32Array(size))).toThrow(/before any teacher step/)
    side.teacherStep({
      xStudent: new Float32Array(8),
      studentSteps: new Int32Array([5, 9, 9, 5]),
      targetSteps: new Int32Array([0, 5, 5, 0]),
    })
    expect(() => side.target(new Float32Array(size + 1))).toThrow(
      new RegExp(`${size + 1} values for variables of ${size}`),
    )
    side.dispose()
    teacher.weights.dispose()
  })
})
