/**
 * #19 items 7 and 9 end to end, in Chromium at 1440 x 900 against `clab serve` with real runs: the runs
 * table names each run (the name derived from its settings), keeps the name column and the row buttons in
 * view while the other columns scroll sideways, leaves out FD@1 (empty on 2D runs), and its column chooser
 * is remembered across a reload; a run renamed in the details panel reads the new name in the table and in
 * `clab runs show <short id>`. Compare names the runs by name, groups two seeds into a mean with a band, and
 * lays every run out in parallel coordinates. Screenshots: test-results/e2e/<test>/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '@shared/store/types'
import { clab } from '../helpers/cli'
import { apiValue, startLab, waitForRunEnd, type Lab } from './lab'

let lab: Lab
let runs: Run[] = []

const api = <T>(method: Parameters<typeof apiValue>[1], payload?: unknown): Promise<T> =>
  apiValue<T>(lab, method, payload)

beforeAll(async () => {
  lab = await startLab('runs table 1440')
  const distill = (over: Record<string, unknown>, tags: string[] = []) =>
    api<Run>('runs.start', {
      config: { dataset: 'moons', teacher: 'builtin', steps: 20, evalSamples: 300, backend: 'wasm', ...over },
      tags,
    })
  runs = [
    await distill({}, ['first']),
    await distill({ solver: 'ddim', seed: 3 }),
    await distill({ lr: 5e-4, numScales: 12 }),
    // The first run again but for its seed: a group by seed.
    await distill({ seed: 5 }),
  ]
  for (const r of runs) await waitForRunEnd(lab, r.id, 240_000)
}, 600_000)

afterAll(async () => {
  await lab?.close()
})

describe('#19 the runs table at 1440 px', () => {
  it('#19.7 #19.9 names, sticky name and buttons, no empty FD@1, a remembered column chooser, rename', async () => {
    await lab.session('runs table at 1440', async ({ page, open, shot }) => {
      await page.setViewportSize({ width: 1440, height: 900 })
      await open('#/runs')
      const rows = page.getByTestId('run-row')
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4)
      // Each run reads the name the history derived from what its settings change.
      for (const r of runs) {
        const stored = await api<Run>('runs.get', { id: r.id })
        expect(stored.name).toMatch(/^cd N\d+ mu0 lr/)
        await expect
          .poll(() => page.locator(`[data-run-id="${r.id}"] [data-testid="run-open"]`).textContent())
          .toBe(stored.name)
      }
      expect((await api<Run>('runs.get', { id: runs[1]!.id })).name).toContain('ddim')
      expect((await api<Run>('runs.get', { id: runs[1]!.id })).name).toContain('seed3')
      // FD@1 is an image metric: empty for every 2D run, so no column; the ones the issue missed are there
      // (Tags because one run has a tag: a column no run fills would be left out too).
      expect(await page.getByTestId('sort-fd1').count()).toBe(0)
      for (const key of ['agreement', 'duration', 'created', 'tags'])
        expect(await page.getByTestId(`sort-${key}`).count(), key).toBe(1)
      const scroller = page.getByTestId('runs-table-scroll')
      const box = (await scroller.boundingBox())!
      const overflow = await scroller.evaluate((el) => el.scrollWidth - el.clientWidth)
      await shot('runs table 1440x900')
      // Scrolled to the far right, the name and the row's buttons stay inside the table's box.
      await scroller.evaluate((el) => (el.scrollLeft = el.scrollWidth))
      const nameCell = page.locator(`[data-run-id="${runs[0]!.id}"] [data-testid="run-name"]`)
      const edit = page.locator(`[data-run-id="${runs[0]!.id}"] [data-testid="run-details-button"]`)
      const nameBox = (await nameCell.boundingBox())!
      const editBox = (await edit.boundingBox())!
      expect(nameBox.x).toBeGreaterThanOrEqual(box.x)
      expect(nameBox.x).toBeLessThan(box.x + 80)
      expect(editBox.x + editBox.width).toBeLessThanOrEqual(box.x + box.width)
      // Tags, Created, Duration and Agree@1 are within reach of the 1440 px window.
      for (const key of ['agreement', 'duration', 'created', 'tags']) {
        const header = (await page.getByTestId(`sort-${key}`).boundingBox())!
        expect(header.x + header.width, key).toBeLessThanOrEqual(1440)
      }
      if (overflow > 0) await shot('runs table scrolled right')

      // The chooser: hide Tags, show the id; a reload keeps both.
      await page.getByTestId('runs-columns').locator('summary').click()
      await page.getByTestId('runs-column-tags').uncheck()
      await page.getByTestId('runs-column-id').check()
      expect(await page.getByTestId('runs-column-name').isDisabled()).toBe(true)
      await shot('column chooser')
      await page.reload()
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4)
      expect(await page.getByTestId('sort-tags').count()).toBe(0)
      expect(await page.getByTestId('sort-id').count()).toBe(1)
      await page.getByTestId('runs-columns').locator('summary').click()
      await page.getByTestId('runs-columns-reset').click()
      expect(await page.getByTestId('sort-tags').count()).toBe(1)
      expect(await page.getByTestId('sort-id').count()).toBe(0)
      await page.getByTestId('runs-columns').locator('summary').click()

      // Rename in the details panel: the table and the CLI (by a short id) read the new name.
      await edit.click()
      await page.getByTestId('run-name-input').fill('baseline, short')
      await page.getByTestId('run-name-save').click()
      await expect.poll(() => nameCell.textContent()).toBe('baseline, short')
      await shot('renamed in details')
      const shown = await clab(['runs', 'show', runs[0]!.id.slice(-8)], { env: { CLAB_DATA_DIR: lab.dataDir } })
      expect(shown.code, shown.stderr).toBe(0)
      expect(shown.stdout.split('\n')[0]).toBe(`run ${runs[0]!.id} "baseline, short" (distill) finished`)
    })
  }, 240_000)

  it('#19.7 #19.10 Compare: runs by name, grouped by seed, and in parallel coordinates', async () => {
    await lab.session('compare names groups parallel', async ({ page, open, shot }) => {
      await page.setViewportSize({ width: 1440, height: 900 })
      await open(`#/compare?ids=${runs.map((r) => r.id).join(',')}`)
      const legend = page.getByTestId('compare-legend')
      await legend.waitFor()
      const names = await Promise.all(runs.map(async (r) => (await api<Run>('runs.get', { id: r.id })).name))
      for (const [i, r] of runs.entries())
        expect(await page.getByTestId(`compare-legend-${r.id}`).getByTestId('compare-legend-name').textContent()).toBe(
          names[i],
        )
      // The sample panels are captioned with the names too.
      await page.getByTestId(`compare-sample-name-${runs[1]!.id}`).waitFor({ timeout: 30_000 })
      expect(await page.getByTestId(`compare-sample-name-${runs[1]!.id}`).textContent()).toBe(names[1])
      // Parallel coordinates: N, mu, lr, seed... the settings that differ, then the metric; one line per run.
      const parallel = page.getByTestId('compare-parallel-chart')
      await parallel.waitFor({ timeout: 30_000 })
      for (const r of runs) expect(await page.getByTestId(`compare-parallel-line-${r.id}`).count()).toBe(1)
      expect(await parallel.getAttribute('aria-label')).toMatch(/over N, Learning rate, Seed, SWD: student NFE 1$/)
      await page.getByTestId('compare-parallel').scrollIntoViewIfNeeded()
      await shot('parallel coordinates')
      // By seed: the first and the fourth run are one group, drawn as a mean with its band.
      await page.getByTestId('compare-group-by').selectOption('seed')
      const curves = page.getByTestId('compare-curves')
      await curves.scrollIntoViewIfNeeded()
      await page.waitForTimeout(300)
      await shot('curves grouped by seed')
      await page.getByTestId('compare-nfe').scrollIntoViewIfNeeded()
      await page.waitForTimeout(300)
      await shot('quality vs NFE grouped by seed')
    })
  }, 240_000)
})
