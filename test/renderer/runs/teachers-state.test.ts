import { SAMPLER_STEP_SPACING } from '@shared/cd/schedule'
import { describe, expect, it } from 'vitest'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import { parseTeacherConfig, ConfigError } from '@shared/config/validate'
import type { TeacherQuality } from '@shared/store/teacher-quality'
import type { TeacherRecord } from '@shared/store/types'
import {
  TeachersState,
  defaultTeacherForm,
  formToConfig,
  teacherSchedule,
  teacherSource,
} from '../../../src-renderer/lib/state/teachers.svelte'
import type { RunsRoute } from '../../../src-renderer/lib/state/runs.svelte'
import { fakeApi } from './fixtures'

/** config.validate as the backend does it, with the shared validator. */
function validate(payload: unknown) {
  const { config } = payload as { config: Record<string, unknown> }
  try {
    return { valid: true, config: parseTeacherConfig(config), problems: [] }
  } catch (error) {
    if (error instanceof ConfigError) return { valid: false, config: null, problems: error.problems }
    throw error
  }
}

const teacher = (over: Partial<TeacherRecord> = {}): TeacherRecord => ({
  id: 't1',
  name: 'moons-seed0',
  dataset: 'moons',
  path: 'teachers/t1/teacher.ckpt',
  config: { ...TEACHER_DEFAULTS },
  runId: null,
  createdAt: 5,
  notes: '',
  ...over,
})

function setup(extra: Parameters<typeof fakeApi>[0] = {}) {
  const fake = fakeApi({
    'teachers.list': () => [teacher()],
    'system.info': () => ({ dataDir: '/data/lab' }),
    'config.validate': validate,
    'runs.startTeacher': () => ({ id: 'run-t9' }),
    ...extra,
  })
  const routes: RunsRoute[] = []
  const state = new TeachersState(fake.api, { navigate: (r) => routes.push(r), validateDelayMs: 0 })
  return { state, fake, routes }
}

describe('teacher form', () => {
  it('starts from TEACHER_DEFAULTS and turns numeric text into numbers, keeping what is not one', () => {
    const form = defaultTeacherForm()
    expect(form.numSteps).toBe('1000')
    // A 2D teacher sends the MLP's fields; validation fills the U-Net's with their defaults.
    expect(parseTeacherConfig(formToConfig(form).config)).toEqual(TEACHER_DEFAULTS)
    expect(Object.keys(formToConfig(form).config).filter((k) => k.startsWith('unet'))).toEqual([])
    const { config, problems } = formToConfig({ ...form, numSteps: 'abc', betaEnd: ' 0.03 ', seed: '' })
    expect(config.numSteps).toBe('abc')
    expect(config.betaEnd).toBe(0.03)
    expect('seed' in config).toBe(false)
    expect(problems).toEqual([{ field: 'seed', message: 'Seed: enter a value', value: '' }])
  })

  it('shows the validator problems under their fields, quoting the bad values, and starts nothing', async () => {
    const { state, fake, routes } = setup()
    state.form.numSteps = '1'
    state.form.betaStart = 'abc'
    state.form.seed = ''
    expect(await state.start()).toBeNull()
    expect(state.problems.numSteps).toBe('T (teacher steps) must be at least 2 (got 1)')
    expect(state.problems.betaStart).toMatch(/\(got "abc"\)/)
    expect(state.problems.seed).toBe('Seed: enter a value')
    expect(state.problems.dataset).toBeUndefined()
    expect(fake.callsOf('runs.startTeacher')).toEqual([])
    expect(routes).toEqual([])
  })

  it('clears a problem once the field is fixed (validation while typing)', async () => {
    const { state } = setup()
    state.setField('numSteps', '1')
    await state.validate()
    expect(state.problems.numSteps).toBeDefined()
    state.setField('numSteps', '2000')
    expect(await state.validate()).toEqual({ ...TEACHER_DEFAULTS, numSteps: 2000 })
    expect(state.problems).toEqual({})
  })

  it('starts a valid teacher run with the full config, opens its live view and returns the id', async () => {
    const { state, fake, routes } = setup()
    state.setField('dataset', 'rings')
    state.setField('steps', '2000')
    expect(await state.start()).toBe('run-t9')
    expect(fake.callsOf('config.validate').at(-1)).toEqual(expect.objectContaining({ kind: 'teacher' }))
    expect(fake.callsOf('runs.startTeacher')).toEqual([
      { config: { ...TEACHER_DEFAULTS, dataset: 'rings', steps: 2000 } },
    ])
    expect(routes).toEqual([{ name: 'run', id: 'run-t9' }])
    expect(state.starting).toBe(false)
  })

  it('passes the evaluation sample count when one is given, and refuses a bad one naming it', async () => {
    const { state, fake } = setup()
    state.evalSamples = '12'
    expect(await state.start()).toBeNull()
    expect(state.formError).toBe('Evaluation samples must be an integer from 16 to 100000 (got "12")')
    expect(fake.callsOf('runs.startTeacher')).toEqual([])
    state.evalSamples = ' 512 '
    expect(await state.start()).toBe('run-t9')
    expect(fake.callsOf('runs.startTeacher')).toEqual([{ config: { ...TEACHER_DEFAULTS }, evalSamples: 512 }])
  })

  it('surfaces INVALID_CONFIG from the start call per field, and other failures as a form error', async () => {
    const { state } = setup({
      'runs.startTeacher': () => {
        throw {
          code: 'INVALID_CONFIG',
          message: 'bad',
          field: 'backend',
          problems: [{ field: 'backend', message: 'backend node-gpu is not installed', value: 'node-gpu' }],
        }
      },
    })
    expect(await state.start()).toBeNull()
    expect(state.problems.backend).toBe('backend node-gpu is not installed (got "node-gpu")')

    const other = setup({
      'runs.startTeacher': () => {
        throw { code: 'DATABASE_BUSY', message: 'the database is busy' }
      },
    })
    expect(await other.state.start()).toBeNull()
    expect(other.state.formError).toBe('Could not start: the database is busy')
  })
})

describe('teachers list, import, export', () => {
  it('loads the teachers and the data folder for the path hints', async () => {
    const { state } = setup()
    await state.load()
    expect(state.teachers.map((t) => t.id)).toEqual(['t1'])
    expect(state.dataDir).toBe('/data/lab')
  })

  it('imports by path (name optional) and lists the new teacher first', async () => {
    const { state, fake } = setup({
      'teachers.import': (p) =>
        teacher({ id: 't2', name: (p as { name?: string }).name ?? 'rings-seed0', dataset: 'rings' }),
    })
    await state.load()
    expect(await state.importTeacher('  ', '')).toBeNull()
    expect(state.importError).toMatch(/machine running the app/)
    expect(fake.callsOf('teachers.import')).toEqual([])
    const t = await state.importTeacher(' /tmp/t.ckpt ', '  ')
    expect(t?.id).toBe('t2')
    expect(fake.callsOf('teachers.import')).toEqual([{ path: '/tmp/t.ckpt' }])
    expect(state.teachers.map((x) => x.id)).toEqual(['t2', 't1'])
    expect(state.importResult).toMatch(/rings-seed0/)
    await state.importTeacher('/tmp/u.ckpt', 'mine')
    expect(fake.callsOf('teachers.import').at(-1)).toEqual({ path: '/tmp/u.ckpt', name: 'mine' })
  })

  it('shows import and export errors inline', async () => {
    const { state } = setup({
      'teachers.import': () => {
        throw { code: 'NOT_FOUND', message: '/nope.ckpt does not exist', field: 'path' }
      },
      'teachers.export': () => {
        throw { code: 'PATH_OUTSIDE_DATA_DIR', message: '/etc/x is not inside the data folder', field: 'path' }
      },
    })
    expect(await state.importTeacher('/nope.ckpt', '')).toBeNull()
    expect(state.importError).toBe('/nope.ckpt does not exist — check the file path')
    expect(await state.exportTeacher('t1', '/etc/x')).toBeNull()
    expect(state.exportError).toEqual({
      id: 't1',
      message: '/etc/x is not inside the data folder — check the file path',
    })
  })

  it('exports a teacher and reports the file written', async () => {
    const { state, fake } = setup({ 'teachers.export': () => ({ file: '/data/lab/exports/t.ckpt' }) })
    expect(await state.exportTeacher('t1', 'exports/t.ckpt')).toBe('/data/lab/exports/t.ckpt')
    expect(fake.callsOf('teachers.export')).toEqual([{ id: 't1', path: 'exports/t.ckpt' }])
    expect(state.exportResult).toEqual({ id: 't1', file: '/data/lab/exports/t.ckpt' })
  })

  it('#17 measures a teacher without figures and shows them in place; a failure is shown on its row', async () => {
    const quality: TeacherQuality = {
      measuredAt: 9,
      samples: 4000,
      solver: 'ddim',
      stepSpacing: SAMPLER_STEP_SPACING,
      floor: { precision: 0.99, recall: 0.99, swd: 0.01 },
      rows: [{ steps: 100, nfe: 100, precision: 0.97, recall: 0.98, swd: 0.012 }],
      thumbnail: [],
    }
    const { state, fake } = setup({ 'teachers.measure': () => teacher({ quality }) })
    await state.load()
    expect(state.teachers[0]?.quality ?? null).toBeNull()
    const measuring = state.measureTeacher('t1')
    expect(state.measuringId).toBe('t1')
    await measuring
    expect(fake.callsOf('teachers.measure')).toEqual([{ id: 't1' }])
    expect(state.measuringId).toBeNull()
    expect(state.teachers[0]?.quality).toEqual(quality)

    const failing = setup({
      'teachers.measure': () => {
        throw { code: 'NOT_FOUND', message: 'teacher t1 not found' }
      },
    })
    await failing.state.load()
    await failing.state.measureTeacher('t1')
    expect(failing.state.measureError).toEqual({ id: 't1', message: expect.stringMatching(/teacher t1 not found/) })
    expect(failing.state.measuringId).toBeNull()
  })

  it('tells where a teacher came from and describes its schedule', () => {
    expect(teacherSource(teacher({ runId: 'r1' }))).toBe('trained')
    // The service lists the shipped teachers as builtin-<dataset>, with their absolute resources path.
    expect(teacherSource(teacher({ id: 'builtin-moons', path: '/opt/app/resources/teachers/moons.ckpt' }))).toBe(
      'built-in',
    )
    expect(teacherSource(teacher({ id: 'builtin-rings', path: 'C:\\app\\resources\\rings.ckpt' }))).toBe('built-in')
    expect(teacherSource(teacher())).toBe('imported')
    expect(teacherSchedule(teacher())).toBe('T 1000 · linear 0.0001 → 0.02')
    expect(teacherSchedule(teacher({ config: { numSteps: 200, betaSchedule: 'cosine' } }))).toBe('T 200 · cosine')
    expect(teacherSchedule(teacher({ config: null }))).toBe('—')
  })
})
