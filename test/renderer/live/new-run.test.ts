import { afterEach, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS, SINGLE_STEP_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { PRESETS } from '@shared/config/presets'
import { ConfigError, parseDistillConfig } from '@shared/config/validate'
import type { Run, TeacherRecord } from '@shared/store/types'
import { NewRunState, parseSweep } from '../../../src-renderer/lib/state/new-run.svelte'
import { FakeFailure, fakeApi, makeRun, settle } from '../fake-api'

/** config.validate as the backend does it (teacher resolution aside). */
function validate(payload: unknown) {
  const { config } = payload as { config: Record<string, unknown> }
  try {
    return { valid: true, config: parseDistillConfig(config), problems: [] }
  } catch (error) {
    if (error instanceof ConfigError) return { valid: false, config: null, problems: error.problems }
    throw error
  }
}

const teacher = (id: string, dataset: string, runId: string | null, numSteps = 1000): TeacherRecord => ({
  id,
  name: `${dataset}-${id}`,
  dataset,
  path: `teachers/${id}/teacher.ckpt`,
  config: { ...TEACHER_DEFAULTS, dataset, numSteps, betaEnd: 0.03 },
  runId,
  createdAt: 0,
  notes: '',
})

const run = (id: string, config: unknown, kind: 'distill' | 'teacher' = 'distill'): Run =>
  makeRun({ id, kind, config, finishedAt: 0 })

function setup() {
  // As teachers.list answers: the history's teachers, then the built-in one of the data set.
  const builtinMoons = {
    ...teacher('builtin-moons', 'moons', null),
    path: '/app/resources/teachers/moons.ckpt',
    config: { ...TEACHER_DEFAULTS },
  }
  const teachers = [teacher('t-moons', 'moons', 'run-t'), teacher('t-rings', 'rings', null), builtinMoons]
  const api = fakeApi({
    'config.presets': () => PRESETS,
    'config.validate': validate,
    'teachers.list': (p) => teachers.filter((t) => t.dataset === (p as { dataset: string }).dataset),
    'runs.start': (p) => run('new-1', parseDistillConfig((p as { config: Record<string, unknown> }).config)),
    'runs.get': (p) => {
      const id = (p as { id: string }).id
      if (id === 'teacher-run') return run(id, TEACHER_DEFAULTS, 'teacher')
      if (id === 'old') return run(id, { ...DISTILL_DEFAULTS, numScales: 40, targetEma: 0.9, sampleEvery: 100 })
      throw new FakeFailure({ code: 'NOT_FOUND', message: `no run ${id}` })
    },
    'runs.sweep': (p) => {
      const { base, grid } = p as { base: Record<string, unknown>; grid: Record<string, number[]> }
      const n = Object.values(grid).reduce((a, v) => a * v.length, 1)
      return Array.from({ length: n }, (_, i) => run(`s${i}`, base))
    },
  })
  return { api, state: new NewRunState(api, { debounceMs: 5 }) }
}

let current: NewRunState | null = null
afterEach(() => current?.dispose())

describe('NewRunState', () => {
  it('loads presets and the teachers of the data set, and starts valid from the defaults', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    expect(Object.keys(state.presets)).toEqual([
      'default',
      'quick',
      'cd-single-step',
      'walkthrough',
      'paper-cd',
      'ict-like',
    ])
    expect(api.callsOf('teachers.list')).toEqual([{ dataset: 'moons' }])
    expect(state.teacherOptions.map((o) => [o.value, o.kind])).toEqual([
      ['builtin', 'builtin'],
      ['t-moons', 'trained'],
    ])
    expect(await state.form.validateNow()).toBe(true)
    expect(state.form.valid).toBe(true)
  })

  it('fills the fields from a preset, keeping the data set and teacher', async () => {
    const { state } = setup()
    current = state
    await state.load()
    await state.setField('dataset', 'rings')
    state.form.set('teacher', 't-rings')
    state.form.set('seed', '7')
    state.applyPreset('walkthrough')
    expect(state.preset).toBe('walkthrough')
    expect(state.form.texts.numScales).toBe('100')
    expect(state.form.texts.targetEma).toBe('0.99')
    expect(state.form.texts.lr).toBe('0.0001')
    expect(state.form.texts.batch).toBe('64')
    expect(state.form.texts.solver).toBe('ddim')
    expect(state.form.texts.seed).toBe('0')
    expect(state.form.texts.dataset).toBe('rings')
    expect(state.form.texts.teacher).toBe('t-rings')
    state.applyPreset('ict-like')
    expect(state.form.texts.algorithm).toBe('ict')
    expect(state.form.texts.loss).toBe('huber')
    expect(state.form.texts.numScales).toBe('160')
  })

  it("switching between 2D and image data moves the fields still at one kind's default to the other's", async () => {
    const { state } = setup()
    current = state
    await state.load()
    expect([state.form.texts.numScales, state.form.texts.teacherSubsteps, state.form.texts.weighting]).toEqual([
      String(DISTILL_DEFAULTS.numScales),
      String(DISTILL_DEFAULTS.teacherSubsteps),
      'inverse-gap',
    ])
    state.form.set('lr', '0.009') // neither kind's default
    await state.setField('dataset', 'image:abc')
    expect(state.form.texts.numScales).toBe(String(SINGLE_STEP_DEFAULTS.numScales))
    expect(state.form.texts.teacherSubsteps).toBe('1')
    expect(state.form.texts.topPairShare).toBe('0')
    expect(state.form.texts.weighting).toBe('uniform')
    expect(state.form.texts.lr).toBe('0.009') // edited: kept
    state.form.set('numScales', '30')
    await state.setField('dataset', 'rings')
    expect([state.form.texts.numScales, state.form.texts.teacherSubsteps, state.form.texts.weighting]).toEqual([
      '30',
      String(DISTILL_DEFAULTS.teacherSubsteps),
      'inverse-gap',
    ])
    // A preset applied to image data starts from the image defaults.
    await state.setField('dataset', 'image:abc')
    state.applyPreset('default')
    expect([state.form.texts.numScales, state.form.texts.teacherSubsteps, state.form.texts.lr]).toEqual([
      '18',
      '1',
      '0.001',
    ])
  })

  it("switching the algorithm moves the fields still at one algorithm's default to the other's", async () => {
    const { state } = setup()
    current = state
    await state.load()
    const fields = () =>
      ['numScales', 'topPairShare', 'lr', 'loss', 'targetEma', 'sigmaMax'].map((k) => state.form.texts[k])
    const cd = fields()
    expect(cd).toEqual([
      String(DISTILL_DEFAULTS.numScales),
      String(DISTILL_DEFAULTS.topPairShare),
      String(DISTILL_DEFAULTS.lr),
      'l2',
      '0',
      String(DISTILL_DEFAULTS.sigmaMax),
    ])
    state.form.set('lr', '0.004')
    await state.setField('algorithm', 'ict')
    // iCT starts from the single-step defaults and pseudo-Huber; the edited learning rate stays.
    expect(fields()).toEqual(['18', '0', '0.004', 'huber', '0', ''])
    await state.setField('algorithm', 'tutorial')
    expect(fields()).toEqual(['18', '0', '0.004', 'l2', '0.99', ''])
    await state.setField('algorithm', 'cd')
    expect(fields()).toEqual([cd[0], cd[1], '0.004', 'l2', '0', cd[5]])
    // A preset of another algorithm starts from that algorithm's defaults.
    state.applyPreset('ict-like')
    expect(state.form.texts.topPairShare).toBe('0')
  })

  it('maps validation problems to their fields, naming the bad value, after the debounce', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    await state.form.validateNow()
    const before = api.callsOf('config.validate').length
    state.form.set('numScales', '1')
    state.form.set('targetEma', 'abc')
    state.form.set('multistepSigmas', '0.4, 0.8')
    expect(state.form.dirty).toBe(true)
    await new Promise((r) => setTimeout(r, 30))
    await settle()
    // Three edits inside the debounce window make one validation call.
    expect(api.callsOf('config.validate').length).toBe(before + 1)
    const byField = state.form.problemsByField
    expect(byField.numScales?.[0]).toMatchObject({ message: 'N must be at least 2', value: 1 })
    expect(byField.targetEma?.[0]).toMatchObject({ value: 'abc' })
    expect(byField.multistepSigmas?.[0]?.message).toMatch(/strictly decreasing/)
    expect(state.form.valid).toBe(false)
    expect(state.form.blocked).toBe(true)
  })

  it('refuses to launch an invalid config and calls runs.start for nothing', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    // Typed and launched before the debounce fired: launch validates first.
    state.form.set('lr', '5')
    expect(await state.launch()).toBeNull()
    expect(api.callsOf('runs.start')).toEqual([])
    expect(state.form.problemsByField.lr?.[0]).toMatchObject({ value: 5 })
  })

  it('launches a valid config with its preset and returns the new run id', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    state.applyPreset('paper-cd')
    state.form.set('steps', '500')
    expect(await state.launch()).toBe('new-1')
    const [payload] = api.callsOf('runs.start') as Array<{ config: Record<string, unknown>; preset: string }>
    expect(payload?.preset).toBe('paper-cd')
    expect(payload?.config).toMatchObject({
      numScales: 40,
      targetEma: 0.95,
      evalEma: 0.9999,
      steps: 500,
      solver: 'heun',
    })
  })

  it('shows the problems of a start the backend refuses', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    api.handlers['runs.start'] = () => {
      throw new FakeFailure({
        code: 'INVALID_CONFIG',
        message: 'teacher: no such teacher',
        field: 'teacher',
        problems: [{ field: 'teacher', message: 'no such teacher', value: 'gone' }],
      })
    }
    expect(await state.launch()).toBeNull()
    expect(state.launchError).toBe('teacher: no such teacher')
    expect(state.form.problemsByField.teacher?.[0]?.value).toBe('gone')
  })

  it('pre-fills the form from a run (#/new?from=id), keeping fields the form does not show', async () => {
    const { api, state } = setup()
    current = state
    await state.load('old')
    expect(state.fromRun?.id).toBe('old')
    expect(state.preset).toBeNull()
    expect(state.form.texts.numScales).toBe('40')
    expect(state.form.texts.targetEma).toBe('0.9')
    expect(await state.launch()).toBe('new-1')
    const [payload] = api.callsOf('runs.start') as Array<{ config: Record<string, unknown>; preset?: string }>
    expect(payload?.preset).toBeUndefined()
    expect(payload?.config.sampleEvery).toBe(100)
    expect(payload?.config.numScales).toBe(40)
  })

  it('refuses to start a distillation form from a teacher run or a missing run', async () => {
    const { state } = setup()
    current = state
    await state.load('teacher-run')
    expect(state.loadError).toMatch(/teacher run/)
    const other = setup().state
    await other.load('nope')
    expect(other.loadError).toBe('no run nope')
    other.dispose()
  })

  it('reloads teachers when the data set changes and drops a teacher of the other data set', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    state.form.set('teacher', 't-moons')
    await state.setField('dataset', 'rings')
    expect(api.callsOf('teachers.list').at(-1)).toEqual({ dataset: 'rings' })
    expect(state.form.texts.teacher).toBe('builtin')
    expect(state.teacherOptions.map((o) => o.value)).toEqual(['builtin', 't-rings'])
  })

  it("previews the chosen teacher's sigma levels and the schedules, or says which field to fix", async () => {
    const { state } = setup()
    current = state
    await state.load()
    const builtin = state.previews()
    expect(builtin.levels?.steps).toHaveLength(DISTILL_DEFAULTS.numScales)
    expect(builtin.schedules?.numScales.every((p) => p.y === DISTILL_DEFAULTS.numScales)).toBe(true)
    state.form.set('teacher', 't-moons')
    // The trained teacher has other betas (end 0.03): its sigma_max differs from the built-in's.
    expect(state.previews().levels?.sigmas.at(-1)).not.toBeCloseTo(builtin.levels?.sigmas.at(-1) as number, 3)
    state.form.set('numScales', '50000')
    const many = state.previews()
    expect(many.levels).toBeNull()
    expect(many.problem).toMatch(/at most 5000 levels/)
    expect(many.schedules).not.toBeNull()
    state.form.set('numScales', 'x')
    const bad = state.previews()
    expect(bad.levels).toBeNull()
    expect(bad.problem).toMatch(/N/)
    expect(state.datasetPreview()).toHaveLength(1000)
  })

  it('counts sweep runs as the product of the axes and enqueues the grid over the form', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    state.addSweepAxis('numScales')
    state.addSweepAxis('targetEma')
    ;(state.sweepAxes[0] as { text: string }).text = '10, 20, 40'
    ;(state.sweepAxes[1] as { text: string }).text = '0, 0.95'
    expect(state.sweep.count).toBe(6)
    const runs = await state.launchSweep()
    expect(runs).toHaveLength(6)
    expect(api.callsOf('runs.sweep')[0]).toMatchObject({
      grid: { numScales: [10, 20, 40], targetEma: [0, 0.95] },
      base: { dataset: 'moons', lr: DISTILL_DEFAULTS.lr },
    })
  })

  it('parses sweep axes: bad values, empty axes and repeated fields are named and make no runs', () => {
    expect(parseSweep([{ field: 'lr', text: '1e-3, 5e-4, 1e-3' }])).toMatchObject({
      grid: { lr: [1e-3, 5e-4] },
      count: 2,
    })
    const bad = parseSweep([
      { field: 'lr', text: '1e-3, fast' },
      { field: 'batch', text: ' , ' },
      { field: 'lr', text: '1' },
    ])
    expect(bad.count).toBe(0)
    expect(bad.problems[0]).toMatch(/"fast" is not a number/)
    expect(bad.problems[1]).toMatch(/at least one value/)
    expect(bad.problems[2]).toMatch(/already an axis/)
    expect(parseSweep([]).count).toBe(0)
  })
})
