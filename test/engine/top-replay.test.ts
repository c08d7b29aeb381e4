import { beforeAll, describe, expect, it } from 'vitest'
import { parseDistillConfig } from '@shared/config/validate'
import { Rng } from '@shared/rng'
import { makeLevels } from '../../src-main/engine/denoiser'
import { Distiller } from '../../src-main/engine/distiller'
import type { DistillHeader, Snapshot } from '../../src-main/engine/snapshot'
import { teacherOdeSolve, teacherSolveOf } from '../../src-main/engine/teacher-ode'
import { tf } from '../../src-main/engine/tf'
import { TOP_REPLAY_STEPS } from '@shared/config/choices'
import { TopReplay } from '../../src-main/engine/top-replay'
import { decodeCheckpoint, encodeCheckpoint } from '../../src-main/files/checkpoint-file'
import { randomTeacher, useCpu } from '../helpers/engine'
import { stepLosses } from '../helpers/train'

beforeAll(useCpu)

const rows = (from: number, n: number) =>
  tf.tensor2d(
    Array.from({ length: n * 2 }, (_, i) => from + i),
    [n, 2],
  )

describe('TopReplay (the top share solves kept for replay)', () => {
  it('is a ring of TOP_REPLAY_STEPS steps written in step order; picks come only from rows already written', async () => {
    const replay = new TopReplay(2, 2, 3)
    expect(replay.capacity).toBe(2 * TOP_REPLAY_STEPS)
    expect(replay.rowsPerStep).toBe(6)
    const rng = Rng.fromSeed(3)
    expect(replay.drawPicks(0, rng)).toHaveLength(0)
    const before = tf.memory().numTensors
    for (const step of [0, 1]) {
      const [x, t] = [rows(100 * step, 2), rows(100 * step + 50, 2)]
      replay.push(step, x, t)
      tf.dispose([x, t])
    }
    expect(tf.memory().numTensors).toBe(before)
    expect(replay.filledBefore(2)).toBe(4)
    const picks = replay.drawPicks(2, rng)
    expect(picks).toHaveLength(6)
    for (const p of picks) expect(p).toBeGreaterThanOrEqual(0)
    for (const p of picks) expect(p).toBeLessThan(4)
    const got = tf.tidy(() => {
      const g = replay.gather(Int32Array.from([0, 3]))
      return [g.inputs.arraySync(), g.targets.arraySync()]
    })
    expect(got).toEqual([
      [
        [0, 1],
        [102, 103],
      ],
      [
        [50, 51],
        [152, 153],
      ],
    ])
    // Step TOP_REPLAY_STEPS overwrites step 0's rows, the oldest.
    const [x, t] = [rows(7000, 2), rows(8000, 2)]
    replay.push(TOP_REPLAY_STEPS, x, t)
    tf.dispose([x, t])
    expect(replay.filledBefore(TOP_REPLAY_STEPS + 5)).toBe(replay.capacity)
    const arrays = await replay.toArrays()
    expect(Array.from(arrays.inputs.data.subarray(0, 6))).toEqual([7000, 7001, 7002, 7003, 100, 101])
    expect(arrays.targets.shape).toEqual([replay.capacity, 2])
    replay.dispose()
  })

  it("refuses a checkpoint's reservoir of the wrong shape, naming it, and a push of the wrong size", () => {
    const stored = {
      inputs: { shape: [10, 2], data: new Float32Array(20) },
      targets: { shape: [10, 2], data: new Float32Array(20) },
    }
    expect(() => new TopReplay(2, 2, 3, stored)).toThrow(/replay\/inputs is \[10, 2\], expected \[512, 2\]/)
    expect(() => new TopReplay(2, 2, 3, {})).toThrow(/replay\/inputs is missing/)
    expect(() => new TopReplay(0, 2, 3)).toThrow(/topPairTarget sigma-min/)
    const replay = new TopReplay(2, 2, 1)
    const x = rows(0, 3)
    expect(() => replay.push(0, x, x)).toThrow(/3 rows, expected 2/)
    x.dispose()
    replay.dispose()
  })
})

describe('Distiller with topPairReplay', () => {
  const settings = {
    dataset: 'moons',
    topPairShare: 0.5,
    batch: 16,
    steps: 12,
    numScales: 4,
    teacherSubsteps: 2,
    targetEma: 0.5,
  }

  it("trains the replayed rows (the first step, with nothing kept yet, is the plain run's), leaks nothing, and keeps the teacher's solves", async () => {
    const teacher = randomTeacher()
    const plain = new Distiller(parseDistillConfig({ ...settings, topPairReplay: 0 }), teacher, 'cpu')
    const plainLosses = await stepLosses(plain, 4)
    plain.dispose()
    const config = parseDistillConfig({ ...settings, topPairReplay: 2 })
    const distiller = new Distiller(config, teacher, 'cpu')
    const losses = await stepLosses(distiller, 2)
    const before = tf.memory().numTensors
    losses.push(...(await stepLosses(distiller, 2)))
    expect(tf.memory().numTensors).toBe(before)
    expect(losses[0]).toBe(plainLosses[0])
    for (const i of [1, 2, 3]) expect(losses[i]).not.toBe(plainLosses[i])

    // The kept rows: each step's top share (8 rows) at the grid's top, and the teacher's solve of each to sigma_min.
    const snapshot = await distiller.snapshot()
    const inputs = snapshot.arrays['replay/inputs']
    const targets = snapshot.arrays['replay/targets']
    expect(inputs?.shape).toEqual([8 * TOP_REPLAY_STEPS, 2])
    expect(inputs?.data.subarray(4 * 16, 4 * 16 + 8).every((v) => v === 0)).toBe(true)
    const solve = teacherSolveOf(config, teacher.schedule)
    const levels = solve.downTheGrid?.levels as readonly number[]
    const dim = teacher.architecture.timeEmbeddingDim
    const expected = tf.tidy(() => {
      const at = (step: number) => makeLevels(teacher.schedule, new Int32Array(32).fill(step), dim)
      const x = tf.tensor2d((inputs?.data as Float32Array).subarray(0, 64), [32, 2])
      // All 32 rows (four steps' top shares) down the grid, as each step took its own 8.
      const allDown = { ...solve, downTheGrid: { rows: 32, levels } }
      return teacherOdeSolve(teacher, x, at(levels[3] as number), at(levels[0] as number), allDown).dataSync()
    })
    const kept = (targets?.data as Float32Array).subarray(0, 64)
    for (let i = 0; i < 64; i++) expect(kept[i]).toBeCloseTo(expected[i] as number, 4)
    expect(Math.max(...Array.from(inputs?.data.subarray(0, 64) ?? [], Math.abs))).toBeGreaterThan(1)
    distiller.dispose()
    teacher.weights.dispose()
  })

  it('resumes bit-for-bit from a checkpoint, the reservoir with it, and refuses one without it', async () => {
    const teacher = randomTeacher()
    const config = parseDistillConfig({ ...settings, topPairReplay: 3, lrSchedule: 'cosine' })
    const uninterrupted = new Distiller(config, teacher, 'cpu')
    const full = await stepLosses(uninterrupted, 9)
    uninterrupted.dispose()

    const first = new Distiller(config, teacher, 'cpu')
    const head = await stepLosses(first, 4)
    const snapshot = decodeCheckpoint(encodeCheckpoint(await first.snapshot())) as Snapshot<DistillHeader>
    first.dispose()
    const resumed = new Distiller(config, teacher, 'cpu', snapshot)
    const tail = await stepLosses(resumed, 5)
    resumed.dispose()
    expect([...head, ...tail]).toEqual(full)

    const { ['replay/inputs']: _inputs, ['replay/targets']: _targets, ...withoutReplay } = snapshot.arrays
    expect(() => new Distiller(config, teacher, 'cpu', { ...snapshot, arrays: withoutReplay })).toThrow(
      /replay\/inputs is missing/,
    )
    teacher.weights.dispose()
  })

  it("a branch that changes the solves kept (replay switched on, another batch) starts an empty reservoir at its step; the branch's own resume is bit-for-bit", async () => {
    const teacher = randomTeacher()
    const checkpointAt = async (config: ReturnType<typeof parseDistillConfig>) => {
      const parent = new Distiller(config, teacher, 'cpu')
      await stepLosses(parent, 4)
      const snapshot = decodeCheckpoint(encodeCheckpoint(await parent.snapshot())) as Snapshot<DistillHeader>
      parent.dispose()
      return snapshot
    }
    // Parent without replay (older runs, the quick preset): the branch's first step has nothing to replay, so
    // it is the plain continuation's; from its second step it replays its own solves.
    const plainConfig = parseDistillConfig({ ...settings, topPairReplay: 0 })
    const plainParent = await checkpointAt(plainConfig)
    const plain = new Distiller(plainConfig, teacher, 'cpu', plainParent)
    const plainLosses = await stepLosses(plain, 2)
    plain.dispose()
    const branchConfig = parseDistillConfig({ ...settings, topPairReplay: 2 })
    const branch = new Distiller(branchConfig, teacher, 'cpu', plainParent)
    const branchHead = await stepLosses(branch, 2)
    expect(branchHead[0]).toBe(plainLosses[0])
    expect(branchHead[1]).not.toBe(plainLosses[1])
    const branchSnapshot = decodeCheckpoint(encodeCheckpoint(await branch.snapshot())) as Snapshot<DistillHeader>
    expect(branchSnapshot.header.replayFirstStep).toBe(4)
    // The reservoir's first rows hold the branch's two steps' solves (8 rows of 2 each), the rest still empty.
    const kept = branchSnapshot.arrays['replay/inputs']?.data as Float32Array
    expect(kept.subarray(16, 32).some((v) => v !== 0)).toBe(true)
    expect(kept.subarray(32).every((v) => v === 0)).toBe(true)
    const branchTail = await stepLosses(branch, 3)
    branch.dispose()
    const resumed = new Distiller(branchConfig, teacher, 'cpu', branchSnapshot)
    expect(await stepLosses(resumed, 3)).toEqual(branchTail)
    resumed.dispose()

    // Parent with replay, branch with another batch: its rows per step differ, so its reservoir starts empty too.
    const replayParent = await checkpointAt(branchConfig)
    const wider = new Distiller(
      parseDistillConfig({ ...settings, topPairReplay: 2, batch: 32 }),
      teacher,
      'cpu',
      replayParent,
    )
    const losses = await stepLosses(wider, 2)
    expect(losses.every(Number.isFinite)).toBe(true)
    expect((await wider.snapshot()).header.replayFirstStep).toBe(4)
    wider.dispose()
    // Another replay factor over the same solves keeps the parent's reservoir.
    const more = new Distiller(parseDistillConfig({ ...settings, topPairReplay: 3 }), teacher, 'cpu', replayParent)
    expect((await more.snapshot()).arrays['replay/inputs']?.data).toEqual(replayParent.arrays['replay/inputs']?.data)
    expect((await more.snapshot()).header.replayFirstStep).toBeUndefined()
    more.dispose()
    teacher.weights.dispose()
  })
})
