/**
 * End-to-end, in Chromium against `clab serve`: image datasets in the views. A small 8×8 IDX set is written
 * into the lab's data folder and imported through the API, a tiny U-Net teacher is trained through the CLI
 * (which takes --eval-samples), and two short distillations run in the served app. Then: the live view
 * shows the data | teacher | 1-step | 2-step grids and the composed teacher | 1-step | 2-step | |difference|
 * comparison, its step slider moves between previews; the teacher run shows its previews; the compare view
 * shows both runs' grids side by side; the runs table names the dataset; the new-run form switches to the
 * image dataset's teachers and its "train a new teacher" link opens the teacher form with U-Net fields.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { ImageDatasetRecord } from '@shared/data/images'
import type { Run, SampleRecord } from '@shared/store/types'
import { clab, lastJsonLine } from '../helpers/cli'
import { writeIdxPair } from '../data/helpers'
import { apiValue, startLab, waitForRunEnd, type Lab } from './lab'

/** 8×8 images: 8 per row with 1-px gaps. */
const GRID_WIDTH = 8 * 8 + 9
const TINY_UNET = [
  '--unet-channels',
  '8',
  '--unet-groups',
  '4',
  '--time-embedding',
  '8',
  '--T',
  '100',
  '--beta-end',
  '0.2',
]
const DISTILL = {
  steps: 3,
  batch: 4,
  numScales: 6,
  warmupSteps: 0,
  evalSamples: 16,
  sampleEvery: 2,
  multistepSigmas: [0.8],
  backend: 'wasm',
}

let lab: Lab
let dataset: ImageDatasetRecord
let teacherRunId: string
const runIds: string[] = []

const api = <T>(method: Parameters<typeof apiValue>[1], payload?: unknown): Promise<T> =>
  apiValue<T>(lab, method, payload)

// The page's DOM types, as far as these checks use them (this file compiles without the DOM library).
interface ImageLike {
  complete: boolean
  naturalWidth: number
  naturalHeight: number
}
interface CanvasLike {
  width: number
  height: number
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } }
}

/** Waits until an <img> has decoded; returns its natural width. */
async function imgWidth(page: Page, testid: string): Promise<number> {
  const img = page.getByTestId(testid)
  await img.waitFor()
  await expect
    .poll(
      () => img.evaluate((el) => (el as unknown as ImageLike).complete && (el as unknown as ImageLike).naturalWidth),
      { timeout: 10_000 },
    )
    .toBeTruthy()
  return img.evaluate((el) => (el as unknown as ImageLike).naturalWidth)
}

beforeAll(async () => {
  lab = await startLab('images')
  const folder = join(lab.dataDir, 'imports')
  mkdirSync(folder, { recursive: true })
  const pair = writeIdxPair(folder, 'tiny', { count: 40, h: 8, w: 8, gzip: false })
  const imported = await api<{ datasets: Array<{ dataset: ImageDatasetRecord }> }>('datasets.import', {
    paths: [pair.images, pair.labels],
    name: 'tiny',
  })
  dataset = (imported.datasets[0] as { dataset: ImageDatasetRecord }).dataset

  // The CLI takes the teacher's evaluation size (--eval-samples); the API would evaluate on 4000 samples.
  const teacher = await clab(
    [
      'teacher',
      '--dataset',
      'tiny',
      '--steps',
      '3',
      '--batch',
      '4',
      '--eval-samples',
      '16',
      '--backend',
      'wasm',
      ...TINY_UNET,
      '--json',
    ],
    {
      env: { CLAB_DATA_DIR: lab.dataDir },
    },
  )
  if (teacher.code !== 0) throw new Error(`clab teacher failed (${teacher.code}):\n${teacher.stderr}`)
  const summary = lastJsonLine(teacher.stdout) as { teacherId: string; runId?: string }
  const teachers = await api<Array<{ id: string; runId: string | null }>>('teachers.list', {
    dataset: `image:${dataset.id}`,
  })
  const record = teachers.find((t) => t.id === summary.teacherId)
  if (!record?.runId) throw new Error(`the trained teacher ${summary.teacherId} is not listed with its run`)
  teacherRunId = record.runId

  for (const numScales of [6, 8]) {
    const run = await api<Run>('runs.start', {
      config: { ...DISTILL, numScales, dataset: `image:${dataset.id}`, teacher: summary.teacherId },
    })
    runIds.push(run.id)
  }
  for (const id of runIds) expect(await waitForRunEnd(lab, id, 90_000)).toBe('finished')
}, 240_000)

afterAll(async () => {
  await lab?.close()
})

describe('image datasets in the browser', () => {
  it('shows the live grids, the composed same-noise comparison and a step slider', async () => {
    const id = runIds[0] as string
    const samples = await api<SampleRecord[]>('samples.list', { runId: id })
    expect(samples.every((s) => s.kind === 'png')).toBe(true)
    await lab.session('images live view', async ({ page, shot }) => {
      await page.goto(`${lab.url}#/run/${id}`)
      await page.getByTestId('live-run-view').waitFor()
      await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('finished')
      await expect.poll(() => page.getByTestId('run-dataset').innerText()).toBe('tiny (40 × 8×8×1)')
      for (const key of ['data', 'teacher', 'nfe1', 'nfe2']) {
        expect(await imgWidth(page, `image-grid-img-${key}`)).toBe(GRID_WIDTH)
        // The live previews (64 images, 8 rows), not the 16-image final grids of the same step.
        await expect(
          page.getByTestId(`image-grid-img-${key}`).evaluate((el) => (el as unknown as ImageLike).naturalHeight),
        ).resolves.toBe(GRID_WIDTH)
      }
      await expect
        .poll(() => page.getByTestId('image-grid-teacher').locator('figcaption').innerText())
        .toBe('teacher (100 steps)')

      // The comparison: 4 columns of 8-px cells with 1-px gaps, one row per image for the first 8 images.
      const canvas = page.getByTestId('image-comparison-canvas')
      await expect.poll(() => canvas.getAttribute('data-rows')).toBe('8')
      await expect(
        canvas.evaluate((c) => [(c as unknown as CanvasLike).width, (c as unknown as CanvasLike).height]),
      ).resolves.toEqual([4 * 8 + 5, 8 * 8 + 9])
      // Its difference column is |1 step - teacher| of the cells it shows: read back from the canvas.
      const consistent = await canvas.evaluate((c) => {
        const ctx = (c as unknown as CanvasLike).getContext('2d')
        const at = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data)
        const bad: string[] = []
        for (let row = 0; row < 8; row++)
          for (let y = 0; y < 8; y++)
            for (let x = 0; x < 8; x++) {
              const yy = 1 + row * 9 + y
              const t = at(1 + x, yy)
              const one = at(10 + x, yy)
              const d = at(28 + x, yy)
              for (let ch = 0; ch < 3; ch++)
                if (d[ch] !== Math.abs((one[ch] as number) - (t[ch] as number))) bad.push(`${row}:${x},${y}`)
            }
        return bad.length
      })
      expect(consistent).toBe(0)
      await expect.poll(() => page.getByTestId('samples-step').innerText()).toBe('at step 3')
      await shot('live grids and comparison')
      // The final evaluation has the Fréchet distance in the dataset classifier's features.
      await expect
        .poll(() => page.getByTestId('eval-table').locator('th', { hasText: 'Fréchet distance' }).count())
        .toBe(1)
      const fd = await page.getByTestId('eval-row-student-1').locator('td').nth(3).innerText()
      expect(Number.isFinite(Number(fd)), fd).toBe(true)
      // Evaluated on 16 samples: the view says Fréchet figures from so few are biased.
      await expect.poll(() => page.getByTestId('fd-few-samples').innerText()).toContain('from 16 samples: below 2000')

      // Previews at steps 0, 2 and 3: the slider steps back with the keyboard.
      const slider = page.getByTestId('samples-step-slider')
      await expect.poll(() => slider.getAttribute('max')).toBe('2')
      await slider.focus()
      await page.keyboard.press('ArrowLeft')
      await expect.poll(() => page.getByTestId('samples-step').innerText()).toBe('at step 2')
      await expect.poll(() => page.getByTestId('samples-step-value').innerText()).toBe('2')
      await page.keyboard.press('Home')
      await expect.poll(() => page.getByTestId('samples-step').innerText()).toBe('at step 0')
      await expect.poll(() => canvas.getAttribute('data-rows')).toBe('8')
      await shot('slider at step 0')
    })
  })

  it("shows a teacher run's preview grids", async () => {
    await lab.session('images teacher run', async ({ page, shot }) => {
      await page.goto(`${lab.url}#/run/${teacherRunId}`)
      await page.getByTestId('live-run-view').waitFor()
      expect(await imgWidth(page, 'image-grid-img-teacher')).toBe(GRID_WIDTH)
      await expect(page.getByTestId('image-comparison-canvas').count()).resolves.toBe(0)
      await shot('teacher run')
    })
  })

  it('compares two image runs side by side at one step', async () => {
    const [a, b] = runIds as [string, string]
    await lab.session('images compare', async ({ page, shot }) => {
      await page.goto(`${lab.url}#/compare?ids=${a},${b}`)
      await page.getByTestId('compare-samples').waitFor()
      expect(await imgWidth(page, `compare-sample-img-${a}`)).toBe(GRID_WIDTH)
      expect(await imgWidth(page, `compare-sample-img-${b}`)).toBe(GRID_WIDTH)
      await expect.poll(() => page.getByTestId(`compare-sample-step-${a}`).innerText()).toBe('step 3')
      const slider = page.getByTestId('compare-samples-step')
      await slider.focus()
      await page.keyboard.press('Home')
      await expect.poll(() => page.getByTestId(`compare-sample-step-${a}`).innerText()).toBe('step 0')
      await expect.poll(() => page.getByTestId(`compare-sample-step-${b}`).innerText()).toBe('step 0')
      expect(await imgWidth(page, `compare-sample-img-${b}`)).toBe(GRID_WIDTH)
      await page.getByTestId('compare-samples').scrollIntoViewIfNeeded()
      await shot('compare image runs')
      // These runs are evaluated on 16 samples: their Fréchet figures carry the caveat.
      await expect
        .poll(() => page.getByTestId(`compare-fd-caveat-${a}`).innerText())
        .toContain('from 16 samples: below 2000')
    })
  })

  it('names the dataset in the runs table, and the forms switch to the image dataset', async () => {
    await lab.session('images forms', async ({ page, shot }) => {
      await page.goto(`${lab.url}#/runs`)
      await page.locator(`[data-testid="run-row"][data-run-id="${runIds[0]}"]`).waitFor()
      await expect
        .poll(() =>
          page
            .locator(`[data-testid="run-row"][data-run-id="${runIds[0]}"] [data-testid="runs-cell-dataset"]`)
            .innerText(),
        )
        .toBe('tiny (8×8×1)')
      await expect
        .poll(() => page.getByTestId('runs-filter-dataset').locator(`option[value="image:${dataset.id}"]`).innerText())
        .toBe('tiny (8×8×1)')
      await expect.poll(() => page.locator('[data-testid="runs-table"] th', { hasText: 'FD@1' }).count()).toBe(1)
      const fdCell = page.locator(`[data-testid="run-row"][data-run-id="${runIds[0]}"] [data-testid="run-fd1"]`)
      await expect.poll(() => fdCell.innerText()).toMatch(/^\d.*\*$/)
      await expect.poll(() => fdCell.getAttribute('title')).toContain('from 16 samples')
      await shot('runs table')

      await page.goto(`${lab.url}#/new`)
      const datasetSelect = page.getByTestId('field-dataset')
      await datasetSelect.locator(`option[value="image:${dataset.id}"]`).waitFor({ state: 'attached' })
      await datasetSelect.selectOption(`image:${dataset.id}`)
      await page.getByTestId('dataset-image-summary').waitFor()
      await expect.poll(() => page.getByTestId('dataset-image-shape').innerText()).toBe('40 images × 8×8×1')
      // The first 32 images, 8 per row, pixels doubled: 8 * 16 + 9 wide.
      expect(await imgWidth(page, 'dataset-image-preview')).toBe(8 * 16 + 9)
      const teacherSelect = page.getByTestId('field-teacher')
      await expect.poll(() => teacherSelect.inputValue()).not.toBe('builtin')
      await expect(teacherSelect.locator('option[value="builtin"]').count()).resolves.toBe(0)
      await expect.poll(() => page.getByTestId('validation-status').innerText(), { timeout: 10_000 }).toBe('Ready')
      await shot('new run on an image dataset')

      await page.getByTestId('train-teacher-link').click()
      await page.waitForURL((url) => url.hash.startsWith('#/teachers'))
      await page.getByTestId('teacher-train-form').waitFor()
      await expect.poll(() => page.getByTestId('teacher-field-dataset').inputValue()).toBe(`image:${dataset.id}`)
      await expect.poll(() => page.getByTestId('teacher-model').innerText()).toContain('U-Net')
      for (const key of ['unetChannels', 'unetMultipliers', 'unetResBlocks', 'unetGroups'])
        await expect(page.getByTestId(`teacher-field-${key}`).isVisible()).resolves.toBe(true)
      await expect(page.getByTestId('teacher-field-hiddenWidth').count()).resolves.toBe(0)
      // A bad U-Net value is named on its field by the backend's validation.
      await page.getByTestId('teacher-field-unetGroups').fill('3')
      await expect
        .poll(() => page.getByTestId('teacher-problem-unetGroups').innerText())
        .toContain('must divide the base channels')
      await expect
        .poll(() => page.locator('[data-testid="teacher-row"] [data-testid="teacher-dataset"]').first().innerText())
        .toBe('tiny (8×8×1)')
      await shot('teacher form with U-Net fields')
      // Back to 2D: the MLP's fields return.
      await page.getByTestId('teacher-field-dataset').selectOption('moons')
      await expect(page.getByTestId('teacher-field-unetChannels').count()).resolves.toBe(0)
      await expect.poll(() => page.getByTestId('teacher-model').innerText()).toContain('MLP')
    })
  })
})
