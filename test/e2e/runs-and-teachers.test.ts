/**
 * End-to-end, in Chromium against `clab serve`: the Teachers view (a bad schedule refused on its field, a
 * teacher trained from the form and watched in its live view, then listed as trained) and the Runs view
 * (search, tags through the tag editor, delete with a confirmation); importing Fashion-MNIST (Debian's
 * dataset-fashion-mnist) through the image-datasets form.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run, RunListItem, TeacherRecord } from '@shared/store/types'
import { writeIdxPair } from '../data/helpers'
import { apiValue, startLab, waitForRunEnd, type Lab } from './lab'

let lab: Lab

beforeAll(async () => {
  lab = await startLab('runs and teachers')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

const api = <T>(method: Parameters<typeof apiValue>[1], payload?: unknown): Promise<T> =>
  apiValue<T>(lab, method, payload)

describe('Teachers view', () => {
  it(
    'refuses a schedule that does not end in noise, then trains a teacher with a live view',
    { timeout: 300_000 },
    async () => {
      await lab.session('train a teacher', async ({ page, open, shot }) => {
        await open('#/teachers')
        const T = page.getByTestId('teacher-field-numSteps')
        await T.fill('50')
        const problem = page.getByTestId('teacher-problem-numSteps')
        await expect.poll(() => problem.innerText(), { timeout: 10_000 }).toMatch(/alphaBar at the last step is 0\.603/)
        await shot('bad-schedule')
        // #19 item 15: as "Launch run", the button is off while a field is invalid.
        expect(await page.getByTestId('teacher-train-submit').isDisabled()).toBe(true)
        await T.fill('1000')
        await expect.poll(() => problem.count(), { timeout: 10_000 }).toBe(0)
        await page.getByTestId('teacher-field-dataset').selectOption('rings')
        await page.getByTestId('teacher-field-steps').fill('200')
        await page.getByTestId('teacher-train-submit').click()
        await page.waitForURL((url) => url.hash.startsWith('#/run/'))
        const id = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''))
        await page.getByTestId('live-run-view').waitFor()
        await expect.poll(() => page.getByTestId('run-kind').innerText()).toMatch(/teacher/)
        // The teacher's own previews (its samples as it trains) show in the live view.
        await page.getByTestId('sample-scatter').waitFor({ timeout: 60_000 })
        await shot('teacher-live')
        expect(await waitForRunEnd(lab, id, 240_000)).toBe('finished')
        await expect.poll(() => page.getByTestId('run-status').innerText(), { timeout: 30_000 }).toMatch(/finished/)
        await shot('teacher-finished')

        await open('#/teachers')
        const row = page.locator(`[data-testid="teacher-row"][data-teacher-id="${id}"]`)
        await row.waitFor({ timeout: 10_000 })
        await expect(row.getByTestId('teacher-source').innerText()).resolves.toMatch(/trained/i)
        const teachers = await api<TeacherRecord[]>('teachers.list', { dataset: 'rings' })
        expect(teachers.map((t) => t.id)).toContain(id)
        await shot('teacher-listed')
      })
    },
  )
})

describe('Runs view', () => {
  it('searches, tags and deletes runs', { timeout: 300_000 }, async () => {
    const ids: string[] = []
    for (const numScales of [6, 12]) {
      const run = await api<Run>('runs.start', {
        config: { dataset: 'moons', numScales, steps: 60, batch: 32, evalSamples: 64, sampleEvery: 0 },
      })
      ids.push(run.id)
    }
    for (const id of ids) expect(await waitForRunEnd(lab, id, 240_000)).toBe('finished')
    const [keep, drop] = ids as [string, string]
    await lab.session('runs table', async ({ page, open, shot }) => {
      await open('#/runs')
      const row = (id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)
      await row(keep).waitFor()
      await row(drop).waitFor()

      // Search narrows the table to the matching run.
      await page.getByTestId('runs-search').fill(keep.slice(-8))
      await expect.poll(() => row(drop).count()).toBe(0)
      await expect.poll(() => row(keep).count()).toBe(1)
      await shot('searched')
      await page.getByTestId('runs-search').fill('')

      // Tags through the details panel's tag editor, saved in the history.
      await row(keep).getByTestId('run-details-button').click()
      const details = page.getByTestId('run-details')
      await details.getByTestId('tag-input').fill('baseline')
      await details.getByTestId('tag-add').click()
      await expect
        .poll(async () => (await api<Run>('runs.get', { id: keep })).tags, { timeout: 10_000 })
        .toContain('baseline')
      await shot('tagged')
      await details.getByTestId('run-details-close').click()

      // Delete asks first; cancelling keeps the run, confirming removes it.
      await row(drop).getByTestId('run-select').check()
      await page.getByTestId('runs-delete-selected').click()
      const dialog = page.getByTestId('confirm-dialog')
      await dialog.getByTestId('confirm-cancel').click()
      expect((await api<RunListItem[]>('runs.list')).map((r) => r.id)).toContain(drop)
      await page.getByTestId('runs-delete-selected').click()
      await shot('confirm-delete')
      await dialog.getByTestId('confirm-ok').click()
      await expect.poll(() => row(drop).count(), { timeout: 10_000 }).toBe(0)
      expect((await api<RunListItem[]>('runs.list')).map((r) => r.id)).not.toContain(drop)
      await shot('deleted')
    })
  })
})

describe('Image datasets', () => {
  it('imports Fashion-MNIST through the form, and names a refused file', { timeout: 120_000 }, async () => {
    const source = '/usr/share/datasets/fashion-mnist'
    // The folder name tells Fashion-MNIST from MNIST (their files look alike), as in Debian's layout.
    const incoming = join(lab.dataDir, 'incoming', 'fashion-mnist')
    mkdirSync(incoming, { recursive: true })
    for (const name of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'])
      copyFileSync(join(source, name), join(incoming, name))
    await lab.session('import a dataset', async ({ page, open, shot }) => {
      await open('#/teachers')
      const panel = page.getByTestId('datasets-panel')
      await panel.getByTestId('datasets-empty').waitFor()
      // A labels file alone cannot be imported: the message names it.
      await panel.getByTestId('dataset-import-paths').fill(join(incoming, 't10k-labels-idx1-ubyte.gz'))
      await panel.getByTestId('dataset-import-submit').click()
      await expect
        .poll(() => panel.getByTestId('dataset-import-error').innerText(), { timeout: 30_000 })
        .toContain('t10k-labels-idx1-ubyte.gz')
      await shot('refused')
      await panel
        .getByTestId('dataset-import-paths')
        .fill(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((n) => join(incoming, n)).join('\n'))
      await panel.getByTestId('dataset-import-name').fill('fashion')
      await panel.getByTestId('dataset-import-submit').click()
      await expect
        .poll(() => panel.getByTestId('dataset-import-result').innerText(), { timeout: 60_000 })
        .toMatch(/Imported “fashion.*” \(fashion-mnist, 10000 × 28×28×1\)/)
      await expect.poll(() => panel.getByTestId('dataset-row').count()).toBe(1)
      await shot('imported')
    })
  })

  it(
    'uploads files picked on this computer, imports them, and keeps no staging copy',
    { timeout: 120_000 },
    async () => {
      // Files outside the data folder, as a user's downloads would be.
      const picked = mkdtempSync(join(tmpdir(), 'clab-e2e-picked-'))
      // Raw IDX, 5 MB of images: more than one upload chunk (4 MiB).
      const pair = writeIdxPair(picked, 'digits', { count: 80_000, h: 8, w: 8, gzip: false })
      try {
        await lab.session('upload a dataset', async ({ page, open, shot }) => {
          await open('#/teachers')
          const panel = page.getByTestId('datasets-panel')
          await panel.getByTestId('dataset-upload-files').setInputFiles([pair.images, pair.labels])
          await panel.getByTestId('dataset-import-name').fill('picked')
          // Every progress text the panel shows while the chunks go up, however briefly.
          // (A string, evaluated in the page: the tests are type-checked without the DOM's types.)
          await page.evaluate(`
          window.uploadTexts = []
          new MutationObserver(() => {
            const text = document.querySelector('[data-testid="dataset-upload-progress"]')?.textContent?.trim()
            if (text && window.uploadTexts.at(-1) !== text) window.uploadTexts.push(text)
          }).observe(document.body, { subtree: true, childList: true, characterData: true })
        `)
          await panel.getByTestId('dataset-upload-submit').click()
          await expect
            .poll(() => panel.getByTestId('dataset-import-result').innerText(), { timeout: 60_000 })
            .toMatch(/Imported “picked” \(idx, 80000 × 8×8×1\)/)
          const texts = (await page.evaluate('window.uploadTexts')) as string[]
          expect(texts).toEqual([
            'Uploading 1 of 2: digits-images-idx3-ubyte (0 B of 5.2 MB)',
            'Uploading 1 of 2: digits-images-idx3-ubyte (4.2 MB of 5.2 MB)',
            'Uploading 2 of 2: digits-labels-idx1-ubyte (5.1 MB of 5.2 MB)',
          ])
          await expect.poll(() => panel.locator('[data-testid="dataset-row"]', { hasText: 'picked' }).count()).toBe(1)
          // The form is ready for the next files: no file chosen, the button waits for one.
          expect(await panel.getByTestId('dataset-upload-files').inputValue()).toBe('')
          await expect.poll(() => panel.getByTestId('dataset-upload-submit').isDisabled()).toBe(true)
          await shot('uploaded')
        })
        const uploads = join(lab.dataDir, 'uploads')
        expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([])
      } finally {
        rmSync(picked, { recursive: true, force: true })
      }
    },
  )
})
