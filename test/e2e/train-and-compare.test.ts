/**
 * End-to-end, in Chromium against `clab serve`: a teacher-backed run created through the New run form
 * (moons, the built-in teacher, a short run), watched live to its end; a second run from its config with
 * a different N; then the two compared (curves, config diff, same-noise samples at one step, quality vs
 * NFE). The tests run in order and share one lab: each builds on the runs of the one before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { SampleRecord } from '@shared/store/types'
import { apiValue, startLab, waitForRunEnd, type Lab, type Session } from './lab'

/** Small enough to finish in well under a minute on 2 shared cores (wasm), big enough to show previews. */
const SHORT_RUN = { steps: '400', batch: '64', evalSamples: '500', sampleEvery: '100' }
const FIRST_N = '18'
const SECOND_N = '6'
const RUN_END_MS = 150_000
/** A run's test inside a loaded `npm test` (two workers on two shared cores) takes several times what it takes alone. */
const RUN_TEST_MS = 300_000

let lab: Lab
const runIds: string[] = []

beforeAll(async () => {
  lab = await startLab('train and compare')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

const api = <T>(method: Parameters<typeof apiValue>[1], payload?: unknown): Promise<T> =>
  apiValue<T>(lab, method, payload)

const runIdOf = (url: string) => decodeURIComponent(new URL(url).hash.replace(/^#\/run\//, ''))

/** Launches the form as filled and returns the new run's id (the view moves to #/run/<id>). */
async function launch({ page }: Session): Promise<string> {
  const status = page.getByTestId('validation-status')
  await expect.poll(() => status.innerText(), { timeout: 10_000 }).toBe('Ready')
  await page.getByTestId('launch').click()
  await page.waitForURL((url) => url.hash.startsWith('#/run/'))
  return runIdOf(page.url())
}

/** Watches the live view: progress while running, then a sample preview, then the finished run's evaluation. */
async function watchToTheEnd({ page, shot }: Session, id: string, steps: number): Promise<void> {
  const view = page.getByTestId('live-run-view')
  await view.waitFor()
  const status = page.getByTestId('run-status')
  const progress = page.getByTestId('run-progress')
  await expect(page.getByTestId('run-dataset').innerText()).resolves.toBe('moons')

  // Live progress: seen while the run is still running, part-way through.
  await expect
    .poll(
      async () => {
        const now = Number(await progress.getAttribute('aria-valuenow'))
        return (await status.innerText()) === 'running' && now > 0 && now < steps
      },
      { timeout: 90_000, interval: 100 },
    )
    .toBe(true)
  await expect(progress.getAttribute('aria-valuemax')).resolves.toBe(String(steps))
  await expect(page.getByTestId('run-step').innerText()).resolves.toMatch(new RegExp(`^\\d+ / ${steps}$`))
  await page.getByTestId('loss-chart').waitFor()
  await shot('live progress')

  // Live samples: previews refresh as the run draws them (every 100 steps): one past step 0 shows while
  // the run is still running.
  await page.getByTestId('sample-scatter').waitFor({ timeout: 60_000 })
  const samplesStep = page.getByTestId('samples-step')
  await expect
    .poll(
      async () => {
        const shown = /^at step (\d+)$/.exec(await samplesStep.innerText())
        return (
          (await status.innerText()) === 'running' && shown !== null && Number(shown[1]) > 0 && Number(shown[1]) < steps
        )
      },
      { timeout: 90_000, interval: 100 },
    )
    .toBe(true)
  await shot('live samples')

  await status.filter({ hasText: /^finished$/ }).waitFor({ timeout: RUN_END_MS })
  await expect(waitForRunEnd(lab, id, 5_000)).resolves.toBe('finished')
  await expect(page.getByTestId('run-step').innerText()).resolves.toBe(`${steps} / ${steps}`)
  await expect(progress.getAttribute('aria-valuenow')).resolves.toBe(String(steps))
  // The final evaluation: the student at 1 step and the teacher beside it.
  await page.getByTestId('eval-row-student-1').waitFor({ timeout: 30_000 })
  await page.getByTestId('eval-row-teacher-100').waitFor()
  await expect(page.getByTestId('eval-row-teacher-1').locator('th').innerText()).resolves.toBe('teacher, 1 step')
  await expect(page.getByTestId('eval-row-teacher-100').locator('th').innerText()).resolves.toBe('teacher, 100 steps')
  await expect(page.getByTestId('run-error').count()).resolves.toBe(0)
  await page.getByTestId('eval-table').scrollIntoViewIfNeeded()
  await shot('finished')
}

describe('train and compare in Chromium', () => {
  it(
    'creates a teacher-backed run through the New run form, shows its progress and samples live, and lets it finish',
    async () => {
      await lab.session('first run from the form', async (s) => {
        const { page, open, shot } = s
        await open('#/runs')
        await page.getByTestId('runs-empty').waitFor()
        await page.getByTestId('runs-empty-new').click()
        await page.waitForURL((url) => url.hash.startsWith('#/new'))

        await page.getByTestId('field-dataset').selectOption('moons')
        const teacher = page.getByTestId('field-teacher')
        await teacher.selectOption('builtin')
        await expect(teacher.locator('option:checked').innerText()).resolves.toMatch(/Built-in moons teacher/)
        await page.getByTestId('field-numScales').fill(FIRST_N)
        for (const [key, value] of Object.entries(SHORT_RUN)) await page.getByTestId(`field-${key}`).fill(value)
        // The previews follow the form: N levels on the sigma grid.
        await expect.poll(() => page.getByTestId('sigma-summary').innerText()).toMatch(new RegExp(`^${FIRST_N} levels`))
        await shot('form filled')

        const id = await launch(s)
        runIds.push(id)
        const run = await api<{ config: Record<string, unknown>; teacherId: string | null }>('runs.get', { id })
        expect(run.config).toMatchObject({
          dataset: 'moons',
          teacher: 'builtin',
          numScales: 18,
          steps: 400,
          evalSamples: 500,
          sampleEvery: 100,
        })

        await watchToTheEnd(s, id, 400)
        const samples = await api<SampleRecord[]>('samples.list', { runId: id })
        expect(samples.some((x) => x.model === 'student' && x.step > 0 && x.step < 400)).toBe(true)
      })
    },
    RUN_TEST_MS,
  )

  it(
    "starts a second run from the first one's config with a different N",
    async () => {
      expect(runIds).toHaveLength(1)
      const [first] = runIds as [string]
      await lab.session('second run with another N', async (s) => {
        const { page, open, shot } = s
        await open(`#/run/${encodeURIComponent(first)}`)
        await page.getByTestId('run-new-from').click()
        await page.waitForURL((url) => url.hash.startsWith('#/new?from='))
        await page.getByTestId('new-run-from').waitFor()
        // Everything but N comes from the first run.
        const steps = page.getByTestId('field-steps')
        await expect.poll(() => steps.inputValue()).toBe(SHORT_RUN.steps)
        await expect(page.getByTestId('field-sampleEvery').inputValue()).resolves.toBe(SHORT_RUN.sampleEvery)
        await expect(page.getByTestId('field-evalSamples').inputValue()).resolves.toBe(SHORT_RUN.evalSamples)
        await expect(page.getByTestId('field-numScales').inputValue()).resolves.toBe(FIRST_N)
        // The grid top of the default preset, editable like every field.
        await expect(page.getByTestId('field-sigmaMax').inputValue()).resolves.toBe(String(DISTILL_DEFAULTS.sigmaMax))
        await page.getByTestId('field-numScales').fill(SECOND_N)
        await expect
          .poll(() => page.getByTestId('sigma-summary').innerText())
          .toMatch(new RegExp(`^${SECOND_N} levels`))
        await shot('form from the first run')

        const id = await launch(s)
        expect(id).not.toBe(first)
        runIds.push(id)
        const run = await api<{ config: Record<string, unknown> }>('runs.get', { id })
        expect(run.config).toMatchObject({ numScales: 6, steps: 400, teacher: 'builtin', dataset: 'moons' })
        // The live view says how this run learns: the default preset's teacher substeps, weighting, top pair
        // share, its target and replay, and grid top.
        await expect
          .poll(() => page.getByTestId('run-method').innerText())
          .toBe(
            `cd, N ${SECOND_N}, teacher heun in 6 substeps per hop, λ 1/gap, top pair ${DISTILL_DEFAULTS.topPairShare * 100}% of each batch, its target the teacher's solve to σ_min, replayed ${DISTILL_DEFAULTS.topPairReplay}x from the last 256 steps, σ_max ${DISTILL_DEFAULTS.sigmaMax}, mu 0`,
          )
        await watchToTheEnd(s, id, 400)
      })
    },
    RUN_TEST_MS,
  )

  it(
    'compares the two runs: curves, config diff, samples from the same noise at one step, quality vs NFE',
    async () => {
      expect(runIds).toHaveLength(2)
      const [a, b] = runIds as [string, string]
      await lab.session('compare two runs', async ({ page, open, shot }) => {
        await open('#/runs')
        const rows = page.getByTestId('run-row')
        await expect.poll(() => rows.count()).toBe(2)
        await expect(page.getByTestId('runs-compare').isDisabled()).resolves.toBe(true)
        for (const id of runIds) await page.getByRole('checkbox', { name: `Select run ${id}` }).check()
        await shot('runs selected')
        await page.getByTestId('runs-compare').click()
        await page.waitForURL((url) => url.hash.startsWith('#/compare?ids='))
        expect(
          new URL(page.url()).hash.replace('#/compare?ids=', '').split(',').map(decodeURIComponent).sort(),
        ).toEqual([...runIds].sort())
        await page.getByTestId('compare-legend').waitFor()

        // Curves: the loss of both runs on one chart, with the metric picker offering the live quality too.
        const curves = page.getByTestId('compare-curves')
        await curves.getByTestId('compare-curves-chart').waitFor()
        await expect(page.getByTestId('compare-metric').inputValue()).resolves.toBe('loss')
        const metrics = await page.getByTestId('compare-metric').locator('option').allInnerTexts()
        expect(metrics).toEqual(expect.arrayContaining(['loss', 'swd/nfe1']))
        await expect(curves.innerText()).resolves.not.toMatch(/No “loss” logged by/)
        await page.getByTestId('compare-smoothing').fill('0.8')
        await expect(curves.locator('output').innerText()).resolves.toBe('0.80')
        await curves.scrollIntoViewIfNeeded()
        await shot('curves')

        // Config diff: N is the one difference; "differences only" hides what the runs share.
        const diff = page.getByTestId('compare-diff')
        const onlyDiffs = page.getByTestId('compare-diff-only')
        if (!(await onlyDiffs.isChecked())) await onlyDiffs.check()
        const nRow = page.getByTestId('compare-diff-row-numScales')
        await nRow.waitFor()
        const nCells = await nRow.locator('td').allInnerTexts()
        expect(nCells.map((c) => c.trim()).sort()).toEqual([FIRST_N, SECOND_N].sort())
        await expect(diff.locator('tbody tr').count()).resolves.toBe(1)
        await diff.scrollIntoViewIfNeeded()
        await shot('config diff, differences only')
        await onlyDiffs.uncheck()
        await page.getByTestId('compare-diff-row-steps').waitFor()
        await expect(diff.locator('tbody tr').count()).resolves.toBeGreaterThan(10)
        await onlyDiffs.check()

        // Samples: one panel per run at the same training step; the shared slider moves both.
        const samples = page.getByTestId('compare-samples')
        await page.getByTestId(`compare-sample-chart-${a}`).waitFor()
        await page.getByTestId(`compare-sample-chart-${b}`).waitFor()
        const slider = page.getByTestId('compare-samples-step')
        const shown = page.getByTestId('compare-samples-step-value')
        await slider.focus()
        await page.keyboard.press('Home')
        await expect.poll(() => shown.innerText()).toMatch(/^\d+$/)
        const firstStop = await shown.innerText()
        await page.keyboard.press('ArrowRight')
        await expect.poll(() => shown.innerText()).not.toBe(firstStop)
        const step = Number(await shown.innerText())
        expect(step).toBeGreaterThan(0)
        for (const id of runIds)
          await expect(page.getByTestId(`compare-sample-step-${id}`).innerText()).resolves.toBe(`step ${step}`)
        await page.getByTestId(`compare-sample-chart-${a}`).waitFor()
        await page.getByTestId(`compare-sample-chart-${b}`).waitFor()
        await samples.scrollIntoViewIfNeeded()
        await shot(`samples at step ${step}`)
        // What the panels claim, the history confirms: both runs' previews at that step came from one noise.
        const at = async (runId: string) =>
          (await api<SampleRecord[]>('samples.list', { runId })).filter(
            (x) => x.model === 'student' && x.step === step && x.nfe === 1,
          )
        const [sa, sb] = [await at(a), await at(b)]
        expect(sa).toHaveLength(1)
        expect(sb).toHaveLength(1)
        expect(sa[0]?.noiseSeed).toBe(sb[0]?.noiseSeed)

        // Quality vs NFE: both students' final evaluations at 1, 2, 4, 8 steps, with the teacher's curve.
        const nfe = page.getByTestId('compare-nfe')
        await nfe.getByTestId('compare-nfe-chart').waitFor()
        await nfe.scrollIntoViewIfNeeded()
        await shot('quality vs nfe')
        for (const runId of runIds) {
          const evaluations = await api<Array<{ model: string; nfe: number; metric: string }>>('runs.evaluations', {
            id: runId,
            metric: 'swd',
          })
          const studentNfe = [...new Set(evaluations.filter((e) => e.model === 'student').map((e) => e.nfe))].sort(
            (x, y) => x - y,
          )
          expect(studentNfe).toEqual([1, 2, 4, 8])
          expect(evaluations.some((e) => e.model === 'teacher')).toBe(true)
        }

        await page.getByTestId('compare-metrics').scrollIntoViewIfNeeded()
        await shot('metrics table')
      })
    },
    RUN_TEST_MS,
  )
})
