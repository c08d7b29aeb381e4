/**
 * Image runs in the renderer's state: the live view's PNG grids and step slider, the run form's dataset
 * and teacher choices for an image dataset, and the teacher form's U-Net fields.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { PRESETS } from '@shared/config/presets'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { ImageDatasetRecord } from '@shared/data/images'
import type { Run, SampleRecord, TeacherRecord } from '@shared/store/types'
import { previewSteps, selectSamples } from '../../../src-renderer/lib/charts/sample-scatter'
import { LiveRunState } from '../../../src-renderer/lib/state/live-run.svelte'
import { NewRunState } from '../../../src-renderer/lib/state/new-run.svelte'
import { TeachersState, formToConfig, teacherFieldsFor } from '../../../src-renderer/lib/state/teachers.svelte'
import { fakeApi, makeRun, settle } from '../fake-api'

const PREVIEW = 7
const EVAL = 0
const DATASET: ImageDatasetRecord = {
  id: 'D1',
  name: 'tiny',
  kind: 'idx',
  path: 'datasets/D1',
  count: 40,
  height: 8,
  width: 8,
  channels: 1,
  createdAt: 0,
  meta: {
    name: 'tiny',
    kind: 'idx',
    sourceFiles: [],
    count: 40,
    height: 8,
    width: 8,
    channels: 1,
    classes: [],
    classCounts: [],
    sha256: '',
    files: { images: 'images.bin', labels: 'labels.bin' },
  },
}

let nextId = 1
/** A live preview (the preview noise) or, from the run's own evaluation noise, a final grid. */
const png = (model: string, nfe: number, step: number, noiseSeed = PREVIEW): SampleRecord => ({
  id: nextId++,
  runId: 'r1',
  step,
  nfe,
  kind: 'png',
  model,
  role: noiseSeed === PREVIEW ? 'preview' : 'final',
  path: `samples/previews/${model}-${step}-${nfe}.png`,
  hasBlob: false,
  bytes: 100,
  noiseSeed,
  createdAt: 0,
})

const run = (config: Record<string, unknown>, kind: 'distill' | 'teacher' = 'distill'): Run => makeRun({ kind, config })

/** A distillation's samples as the backend records them: previews at 0, 2, 3 and final grids at 3 from the run's noise. */
function distillSamples(): SampleRecord[] {
  return [
    png('data', 0, 0),
    png('teacher', 100, 0),
    png('student', 1, 0),
    png('student', 2, 0),
    png('student', 1, 2),
    png('student', 2, 2),
    png('student', 1, 3),
    png('student', 2, 3),
    png('data', 0, 3, EVAL),
    png('teacher', 100, 3, EVAL),
    png('student', 1, 3, EVAL),
    png('student', 2, 3, EVAL),
    png('student', 4, 3, EVAL),
  ]
}

describe('image sample selection', () => {
  it('takes the preview grids (one noise for every step) over the final ones, with the teacher of the same noise', () => {
    const samples = distillSamples()
    const sel = selectSamples(samples, { format: 'png' })
    expect(sel.step).toBe(3)
    expect([sel.nfe1, sel.nfe2, sel.teacher, sel.data].map((s) => s?.noiseSeed)).toEqual([
      PREVIEW,
      PREVIEW,
      PREVIEW,
      PREVIEW,
    ])
    expect(sel.teacher?.step).toBe(0)
    expect(selectSamples(samples, { format: 'png', step: 2 }).nfe1?.step).toBe(2)
    // Between stops: the newest preview at or before the step.
    expect(selectSamples(samples, { format: 'png', step: 1 }).nfe1?.step).toBe(0)
    // 2D selection ignores PNGs.
    expect(selectSamples(samples).nfe1).toBeNull()
    expect(previewSteps(samples, 'png')).toEqual([0, 2, 3])
    expect(previewSteps(samples, 'points')).toEqual([])
  })

  it("steps a teacher run's slider over its own teacher previews", () => {
    const samples = [png('data', 0, 0), png('teacher', 100, 0), png('teacher', 100, 5), png('teacher', 100, 10)]
    expect(previewSteps(samples, 'png')).toEqual([0, 5, 10])
    const sel = selectSamples(samples, { format: 'png', step: 5 })
    expect(sel.nfe1).toBeNull()
    expect(sel.teacher?.step).toBe(5)
    expect(sel.step).toBe(5)
  })
})

describe('LiveRunState on an image run', () => {
  function setup(
    samples = distillSamples(),
    config: Record<string, unknown> = { ...DISTILL_DEFAULTS, dataset: 'image:D1', teacher: 't1', steps: 3 },
  ) {
    const api = fakeApi({
      'runs.get': () => run(config),
      'metrics.downsampled': () => [],
      'samples.list': () => samples,
      'samples.png': (p) => ({ sampleId: p.id, mime: 'image/png', bytes: new Uint8Array([p.id as number]) }),
      'samples.points': () => {
        throw new Error('an image run has no points')
      },
      'runs.evaluations': () => [],
      'datasets.list': () => [DATASET],
    })
    return { api, state: new LiveRunState(api, 'r1', { flushMs: 1 }) }
  }

  let current: LiveRunState | null = null
  afterEach(() => current?.dispose())

  it('loads the shown PNG grids and the dataset record, and moves with the slider', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    await settle()
    expect(state.isImage).toBe(true)
    expect(state.imageDataset?.name).toBe('tiny')
    expect(state.previewSteps).toEqual([0, 2, 3])
    expect(state.previewIndex).toBe(2)
    const sel = state.selection
    for (const s of [sel.data, sel.teacher, sel.nfe1, sel.nfe2])
      expect([...(state.pngs.get(s?.id as number) ?? [])]).toEqual([s?.id])
    expect(api.callsOf('samples.points')).toEqual([])

    state.setPreviewIndex(1)
    await settle()
    expect(state.previewStep).toBe(2)
    expect(state.selection.step).toBe(2)
    expect(state.pngs.has(state.selection.nfe1?.id as number)).toBe(true)
    // Grids no longer shown are dropped; the references (data, teacher at step 0) stay.
    expect(state.pngs.size).toBe(4)

    // Out of range clamps; the last stop follows new previews again.
    state.setPreviewIndex(99)
    expect(state.previewStep).toBeNull()
    state.setPreviewIndex(-5)
    expect(state.previewStep).toBe(0)
    expect(state.previewIndex).toBe(0)
  })

  it('follows a new preview only while the slider is at the newest', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    await settle()
    state.setPreviewIndex(0)
    api.emit({ type: 'sample', runId: 'r1', sample: png('student', 1, 4) })
    await settle()
    expect(state.selection.step).toBe(0)
    state.setPreviewIndex(state.previewSteps.length - 1)
    expect(state.selection.step).toBe(4)
  })

  it('is not an image run on a 2D dataset', async () => {
    const { state } = setup([], { ...DISTILL_DEFAULTS })
    current = state
    await state.load()
    expect(state.isImage).toBe(false)
    expect(state.imageDataset).toBeNull()
  })
})

// --- forms --------------------------------------------------------------------------------------------------

function validateAs(kind: 'distill' | 'teacher') {
  return (payload: unknown) => {
    const { config } = payload as { config: Record<string, unknown> }
    try {
      return {
        valid: true,
        config: kind === 'distill' ? parseDistillConfig(config) : parseTeacherConfig(config),
        problems: [],
      }
    } catch (error) {
      if (error instanceof ConfigError) return { valid: false, config: null, problems: error.problems }
      throw error
    }
  }
}

const teacher = (id: string, dataset: string): TeacherRecord => ({
  id,
  name: `${dataset}-seed0`,
  dataset,
  path: `teachers/${id}/teacher.ckpt`,
  config: { ...TEACHER_DEFAULTS, dataset, model: dataset.startsWith('image:') ? 'unet' : 'mlp' },
  runId: 'run-t',
  createdAt: 0,
  notes: '',
})

describe('the run form on an image dataset', () => {
  function setup(teachers = [teacher('t-moons', 'moons'), teacher('t-img', 'image:D1')]) {
    const api = fakeApi({
      'config.presets': () => PRESETS,
      'config.validate': validateAs('distill'),
      'teachers.list': (p) => teachers.filter((t) => t.dataset === p.dataset),
      'datasets.list': () => [DATASET],
      'datasets.preview': (p) => ({
        datasetId: p.id,
        mime: 'image/png' as const,
        bytes: Uint8Array.from([1, 2, 3]),
        count: p.count ?? 32,
      }),
    })
    return { api, state: new NewRunState(api, { debounceMs: 1 }) }
  }

  let current: NewRunState | null = null
  afterEach(() => current?.dispose())

  it('lists the image datasets after the 2D ones and offers only that dataset’s teachers', async () => {
    const { state } = setup()
    current = state
    await state.load()
    expect(state.datasetChoices.at(-1)).toEqual({
      value: 'image:D1',
      label: 'tiny (images, 40 × 8×8×1)',
      kind: 'image',
    })
    expect(state.isImage).toBe(false)
    await state.setField('dataset', 'image:D1')
    expect(state.isImage).toBe(true)
    expect(state.imageDataset?.name).toBe('tiny')
    expect(state.datasetPreview()).toEqual([])
    // No built-in teacher for images: the dataset's first teacher is picked.
    expect(state.teacherOptions.map((o) => [o.value, o.label])).toEqual([
      ['t-img', 'tiny-seed0 (trained by run run-t)'],
    ])
    expect(state.form.texts.teacher).toBe('t-img')
    // Back on 2D: the built-in teacher again.
    await state.setField('dataset', 'moons')
    expect(state.form.texts.teacher).toBe('builtin')
    expect(state.teacherOptions.map((o) => o.value)).toEqual(['builtin', 't-moons'])
  })

  it('shows the first images of an image dataset (loaded once per choice), nothing for 2D sets', async () => {
    const { api, state } = setup()
    current = state
    await state.load()
    expect(state.imagePreview).toBeNull()
    await state.setField('dataset', 'image:D1')
    expect(Array.from(state.imagePreview ?? [])).toEqual([1, 2, 3])
    expect(api.calls.filter((c) => c.method === 'datasets.preview').map((c) => c.payload)).toEqual([
      { id: 'D1', count: 32 },
    ])
    await state.setField('dataset', 'moons')
    expect(state.imagePreview).toBeNull()
    delete api.handlers['datasets.preview']
    await state.setField('dataset', 'image:D1')
    expect(state.imagePreview).toBeNull()
    expect(state.imagePreviewError).toMatch(/could not load a preview of the images/)
  })

  it('says when an image dataset has no teacher yet', async () => {
    const { state } = setup([])
    current = state
    await state.load()
    await state.setField('dataset', 'image:D1')
    expect(state.form.texts.teacher).toBe('builtin')
    expect(state.teacherOptions).toEqual([
      { value: 'builtin', label: 'None: no teacher of tiny yet (train one)', kind: 'builtin' },
    ])
  })

  it('keeps the 2D choices when the datasets cannot be listed', async () => {
    const { api, state } = setup()
    current = state
    delete api.handlers['datasets.list']
    await state.load()
    expect(state.datasetsError).toMatch(/could not list the image datasets/)
    expect(state.loadError).toBeNull()
    expect(state.datasetChoices.every((o) => o.kind === '2d')).toBe(true)
  })
})

describe('the teacher form on an image dataset', () => {
  const setup = (dataset?: string) => {
    const api = fakeApi({
      'teachers.list': () => [teacher('t-img', 'image:D1')],
      'datasets.list': () => [DATASET],
      'system.info': () => ({ dataDir: '/lab' }),
      'config.validate': validateAs('teacher'),
      'runs.startTeacher': () => ({ id: 'run-t2' }),
    })
    return { api, state: new TeachersState(api, { validateDelayMs: 0, dataset }) }
  }

  it('shows the U-Net fields instead of width and depth, and fixes the model by the dataset', () => {
    const keys = (d: string) => teacherFieldsFor(d).map((f) => f.key)
    expect(keys('image:D1')).toEqual(
      expect.arrayContaining(['unetChannels', 'unetMultipliers', 'unetResBlocks', 'unetGroups']),
    )
    expect(keys('image:D1')).not.toContain('hiddenWidth')
    expect(keys('moons')).toEqual(expect.arrayContaining(['hiddenWidth', 'hiddenDepth']))
    expect(keys('moons').some((k) => k.startsWith('unet'))).toBe(false)
    for (const f of teacherFieldsFor('image:D1').filter((f) => f.key.startsWith('unet'))) expect(f.help).toMatch(/\d/)
  })

  it('starts on the dataset of the route and sends a U-Net config with the multipliers as a list', async () => {
    const { api, state } = setup('image:D1')
    await state.load()
    expect(state.form.dataset).toBe('image:D1')
    expect(state.isImage).toBe(true)
    expect(state.datasetName('image:D1')).toBe('tiny (8×8×1)')
    expect(state.teacherName(state.teachers[0] as TeacherRecord)).toBe('tiny-seed0')
    state.setField('unetMultipliers', '1, 2, 2')
    state.setField('unetChannels', '16')
    state.setField('unetGroups', '4')
    const { config } = formToConfig(state.form)
    expect(config).toMatchObject({
      dataset: 'image:D1',
      model: 'unet',
      unetMultipliers: [1, 2, 2],
      unetChannels: 16,
      unetGroups: 4,
    })
    expect('hiddenWidth' in config).toBe(false)
    expect(await state.start()).toBe('run-t2')
    expect((api.callsOf('runs.startTeacher')[0] as { config: Record<string, unknown> }).config).toMatchObject({
      model: 'unet',
      unetMultipliers: [1, 2, 2],
    })
  })

  it('offers a dataset imported in the datasets panel for training at once (one list for both)', async () => {
    const { api, state } = setup()
    await state.load()
    expect(state.datasetChoices.map((o) => o.value)).not.toContain('image:D2')
    api.handlers['datasets.import'] = () => ({
      datasets: [{ dataset: { ...DATASET, id: 'D2', name: 'second' }, created: true }],
    })
    // What the panel does with the state the view hands it.
    expect(await state.imageDatasets.importFiles('/lab/second-images.idx', 'second')).toHaveLength(1)
    expect(state.datasetChoices.map((o) => o.value)).toContain('image:D2')
    expect(state.datasetName('image:D2')).toBe('second (8×8×1)')
    expect(api.callsOf('datasets.list')).toHaveLength(1)
  })

  it('shows a U-Net problem under its field, quoting the value', async () => {
    const { state } = setup('image:D1')
    state.setField('unetGroups', '3')
    expect(await state.validate()).toBeNull()
    expect(state.problems.unetGroups).toMatch(/must divide the base channels 32/)
    state.setField('unetGroups', '8')
    state.setField('unetMultipliers', '1, x')
    expect(await state.validate()).toBeNull()
    expect(state.problems.unetMultipliers).toBe('U-Net channel multiplier must be a number (got [1,"x"])')
    expect(state.problems.unetGroups).toBeUndefined()
  })

  it('switches the model with the dataset', () => {
    const { state } = setup()
    expect(state.form.model).toBe('mlp')
    state.setField('dataset', 'image:D1')
    expect(state.form.model).toBe('unet')
    expect(state.fields.some((f) => f.key === 'unetChannels')).toBe(true)
    state.setField('dataset', 'rings')
    expect(state.fields.some((f) => f.key === 'unetChannels')).toBe(false)
    expect(formToConfig(state.form).config.model).toBe('mlp')
  })
})
