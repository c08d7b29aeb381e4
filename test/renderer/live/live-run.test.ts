import { afterEach, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import type { EvaluationRecord, MetricBucket, Run, SampleRecord } from '@shared/store/types'
import { LiveRunState } from '../../../src-renderer/lib/state/live-run.svelte'
import { evaluationRows } from '../../../src-renderer/lib/evaluation-table'
import { BranchState } from '../../../src-renderer/lib/state/branch.svelte'
import { FakeFailure, fakeApi, makeRun, settle } from '../fake-api'

const run = (over: Partial<Run> = {}): Run =>
  makeRun({ status: 'running', finishedAt: null, config: { ...DISTILL_DEFAULTS, steps: 3000 }, ...over })

const buckets = (key: string): MetricBucket[] =>
  key === 'loss'
    ? [0, 1, 2, 3].map((i) => ({
        index: i,
        start: i * 100,
        end: i * 100 + 99,
        count: 100,
        firstStep: i * 100 + 1,
        lastStep: i * 100 + 100,
        first: 1,
        last: 1 / (i + 1),
        lastWallMs: 10_000 + i * 1000,
        min: 0.1,
        max: 2,
      }))
    : []

const sample = (id: number, model: string, nfe: number, step: number): SampleRecord => ({
  id,
  runId: 'r1',
  step,
  nfe,
  kind: 'points2d',
  model,
  role: 'preview',
  path: null,
  hasBlob: true,
  bytes: 16,
  noiseSeed: 1,
  createdAt: 0,
})

function setup(over: Partial<Run> = {}) {
  let current = run(over)
  const samples = [sample(1, 'data', 0, 0), sample(2, 'student', 1, 250), sample(3, 'student', 2, 250)]
  const api = fakeApi({
    'runs.get': () => current,
    'metrics.downsampled': (p) => buckets((p as { key: string }).key),
    'samples.list': () => samples,
    'samples.points': (p) => {
      const id = (p as { id: number }).id
      return { sample: sample(id, 'x', 1, 0), dim: 2, points: [id, -id, id + 0.5, -id - 0.5] }
    },
    'runs.evaluations': () => [] as EvaluationRecord[],
    'runs.pause': () => (current = { ...current, status: 'paused', config: null }),
    'runs.resume': () => (current = { ...current, status: 'running' }),
    'runs.cancel': () => {
      throw new FakeFailure({ code: 'RUN_STATE', message: 'run r1 is finished' })
    },
    'metrics.series': () => [
      { step: 1, value: 2, wallMs: 5 },
      { step: 2, value: 1.5, wallMs: 6 },
    ],
  })
  const state = new LiveRunState(api, 'r1', { flushMs: 5, now: () => 99_000 })
  return { api, state, samples }
}

let live: LiveRunState | null = null
afterEach(() => live?.dispose())

describe('LiveRunState', () => {
  it('loads the run, its loss history as buckets, its samples and their points', async () => {
    const { api, state } = setup()
    live = state
    await state.load()
    expect(state.run?.status).toBe('running')
    expect(state.totalSteps).toBe(3000)
    expect(state.step).toBe(400)
    expect(state.loss.line.map((p) => p.x)).toEqual([100, 200, 300, 400])
    expect(api.callsOf('metrics.downsampled')).toContainEqual({ runId: 'r1', key: 'loss', buckets: 1000 })
    expect(api.callsOf('metrics.downsampled')).toContainEqual({ runId: 'r1', key: 'swd/nfe1', buckets: 1000 })
    // 100 steps per second from the buckets' wall times.
    expect(state.stepsPerSecond).toBeCloseTo(100)
    expect(state.etaMs).toBeCloseTo(26_000)
    expect(state.selection.nfe1?.id).toBe(2)
    expect(state.points.get(2)).toEqual([
      { x: 2, y: -2 },
      { x: 2.5, y: -2.5 },
    ])
    expect([...state.points.keys()].sort()).toEqual([1, 2, 3])
    // Not finished: no evaluations asked for yet.
    expect(api.callsOf('runs.evaluations')).toEqual([])
  })

  it('appends streamed metric points of this run in one batch', async () => {
    const { api, state } = setup()
    live = state
    await state.load()
    const before = state.loss
    api.emit({ type: 'metrics', runId: 'r1', points: [{ key: 'loss', step: 401, value: 0.2, wallMs: 14_010 }] })
    api.emit({ type: 'metrics', runId: 'other', points: [{ key: 'loss', step: 999, value: 9 }] })
    api.emit({
      type: 'metrics',
      runId: 'r1',
      points: [
        { key: 'loss', step: 402, value: 0.19, wallMs: 14_020 },
        { key: 'swd/nfe1', step: 402, value: 0.3 },
      ],
    })
    // Batched: nothing applied until the flush.
    expect(state.loss).toBe(before)
    await new Promise((r) => setTimeout(r, 20))
    expect(state.loss.line.slice(-2)).toEqual([
      { x: 401, y: 0.2 },
      { x: 402, y: 0.19 },
    ])
    expect(state.quality['swd/nfe1'].line).toEqual([{ x: 402, y: 0.3 }])
    expect(state.step).toBe(402)
    expect(state.loss.line.some((p) => p.x === 999)).toBe(false)
  })

  it('keeps points that stream in while the history loads', async () => {
    const { api, state } = setup()
    live = state
    const loading = state.load()
    api.emit({ type: 'metrics', runId: 'r1', points: [{ key: 'loss', step: 401, value: 0.2, wallMs: 14_010 }] })
    await loading
    expect(state.loss.line.at(-1)).toEqual({ x: 401, y: 0.2 })
  })

  it('updates the status from run events and loads the evaluations when the run ends', async () => {
    const { api, state } = setup()
    live = state
    await state.load()
    api.handlers['runs.evaluations'] = () => [
      { id: 1, runId: 'r1', step: 3000, metric: 'swd', model: 'student', nfe: 1, value: 0.09, createdAt: 0 },
    ]
    const { config: _config, ...summary } = run({ status: 'paused' })
    api.emit({ type: 'run', run: summary })
    expect(state.status).toBe('paused')
    expect(state.canPause).toBe(false)
    expect(state.canResume).toBe(true)
    expect(state.totalSteps).toBe(3000)
    api.emit({ type: 'run', run: { ...summary, status: 'finished', finishedAt: 1 } })
    await settle()
    expect(state.finished).toBe(true)
    expect(state.canCancel).toBe(false)
    expect(state.evaluations).toHaveLength(1)
    api.emit({ type: 'run', run: { ...summary, id: 'other', status: 'failed' } })
    expect(state.status).toBe('finished')
  })

  it('loads a new sample when a sample event arrives and shows it', async () => {
    const { api, state } = setup()
    live = state
    await state.load()
    const pointCalls = api.callsOf('samples.points').length
    api.emit({ type: 'sample', runId: 'r1', sample: sample(4, 'student', 1, 500) })
    api.emit({ type: 'sample', runId: 'r1', sample: sample(5, 'student', 2, 500) })
    await settle()
    expect(state.selection.step).toBe(500)
    expect(state.points.get(4)?.[0]).toEqual({ x: 4, y: -4 })
    expect(state.points.get(5)?.[0]).toEqual({ x: 5, y: -5 })
    expect(api.callsOf('samples.points').length).toBe(pointCalls + 2)
    // The samples no longer shown are dropped; the data stays.
    expect(state.points.has(2)).toBe(false)
    expect(state.points.has(1)).toBe(true)
  })

  it('pauses and resumes through the API and shows a refused action', async () => {
    const { api, state } = setup()
    live = state
    await state.load()
    await state.pause()
    expect(api.callsOf('runs.pause')).toEqual([{ id: 'r1' }])
    expect(state.status).toBe('paused')
    // The response's missing config does not lose the one loaded.
    expect(state.totalSteps).toBe(3000)
    await state.resume()
    expect(api.callsOf('runs.resume')).toEqual([{ id: 'r1' }])
    expect(state.status).toBe('running')
    await state.cancel()
    expect(state.actionError).toBe('run r1 is finished')
  })

  it('enables the controls by status', async () => {
    const queued = setup({ status: 'queued' }).state
    await queued.load()
    expect([queued.canPause, queued.canResume, queued.canCancel, queued.canBranch]).toEqual([false, false, true, false])
    queued.dispose()
    const failed = setup({ status: 'failed', error: 'loss is NaN at step 12' }).state
    await failed.load()
    expect([failed.canPause, failed.canResume, failed.canCancel, failed.canBranch]).toEqual([false, true, false, true])
    expect(failed.run?.error).toMatch(/NaN/)
    failed.dispose()
    const teacher = setup({ kind: 'teacher', status: 'cancelled' }).state
    await teacher.load()
    expect([teacher.canResume, teacher.canBranch]).toEqual([false, false])
    teacher.dispose()
  })

  it('exports the full loss series as CSV and stops listening when disposed', async () => {
    const { api, state } = setup()
    await state.load()
    expect(await state.lossCsv()).toBe('step,value,wallMs\n1,2,5\n2,1.5,6\n')
    expect(api.callsOf('metrics.series')).toEqual([{ runId: 'r1', key: 'loss' }])
    expect(api.listenerCount()).toBe(1)
    state.dispose()
    expect(api.listenerCount()).toBe(0)
  })

  it('shows a load error for a missing run', async () => {
    const { api, state } = setup()
    live = state
    api.handlers['runs.get'] = () => {
      throw new FakeFailure({ code: 'NOT_FOUND', message: 'no run r1' })
    }
    await state.load()
    expect(state.loadError).toBe('no run r1')
    expect(state.loading).toBe(false)
  })
})

describe('evaluation table', () => {
  const rec = (
    id: number,
    model: string,
    nfe: number,
    metric: string,
    value: number,
    step = 3000,
  ): EvaluationRecord => ({ id, runId: 'r1', step, metric, model, nfe, value, createdAt: 0 })

  it('has one row per model and NFE with the newest value of each metric, student first, data floor last', () => {
    const rows = evaluationRows([
      rec(1, 'data', 0, 'swd', 0.01),
      rec(2, 'teacher', 100, 'swd', 0.02),
      rec(3, 'student', 2, 'swd', 0.07),
      rec(4, 'student', 1, 'swd', 0.5, 1000),
      rec(5, 'student', 1, 'swd', 0.09),
      rec(6, 'student', 1, 'mmd', 0.004),
    ])
    expect(rows.map((r) => [r.model, r.nfe])).toEqual([
      ['student', 1],
      ['student', 2],
      ['teacher', 100],
      ['data', 0],
    ])
    expect(rows[0]?.values).toEqual({ swd: 0.09, mmd: 0.004 })
  })
})

describe('BranchState', () => {
  function branchSetup() {
    const parent = run({ status: 'paused', config: { ...DISTILL_DEFAULTS, steps: 3000, numScales: 18 } })
    const api = fakeApi({
      'config.validate': (p) => {
        try {
          return {
            valid: true,
            config: parseDistillConfig((p as { config: Record<string, unknown> }).config),
            problems: [],
          }
        } catch (error) {
          return { valid: false, config: null, problems: (error as ConfigError).problems }
        }
      },
      'runs.branch': () => run({ id: 'b1', parentRunId: 'r1', parentKind: 'branch' }),
    })
    return { api, branch: new BranchState(api, parent, { debounceMs: 5 }) }
  }

  it('sends only the changed hyperparameters and locks what a branch must keep', async () => {
    const { api, branch } = branchSetup()
    expect(branch.overrides()).toEqual({})
    branch.form.set('lr', '0.0005')
    branch.form.set('steps', '6000')
    branch.form.set('dataset', 'rings')
    expect(branch.form.texts.dataset).toBe('moons')
    expect(branch.overrides()).toEqual({ lr: 0.0005, steps: 6000 })
    expect(await branch.submit()).toBe('b1')
    expect(api.callsOf('runs.branch')).toEqual([{ id: 'r1', overrides: { lr: 0.0005, steps: 6000 } }])
    branch.dispose()
  })

  it('refuses a bad value and shows what the backend refuses next to its field', async () => {
    const { api, branch } = branchSetup()
    branch.form.set('targetEma', '1')
    expect(await branch.submit()).toBeNull()
    expect(api.callsOf('runs.branch')).toEqual([])
    expect(branch.form.problemsByField.targetEma?.[0]?.value).toBe(1)
    branch.form.set('targetEma', '0.5')
    api.handlers['runs.branch'] = () => {
      throw new FakeFailure({
        code: 'INVALID_CONFIG',
        message: "steps: must exceed the parent's checkpoint step 3000",
        problems: [{ field: 'steps', message: "must exceed the parent's checkpoint step 3000", value: 3000 }],
      })
    }
    expect(await branch.submit()).toBeNull()
    expect(branch.error).toMatch(/checkpoint step/)
    expect(branch.form.problemsByField.steps?.[0]?.value).toBe(3000)
    branch.dispose()
  })
})
