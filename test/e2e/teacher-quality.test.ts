/**
 * #17 end to end, in Chromium against `clab serve`: an imported teacher is measured at import; the Teachers
 * view shows its precision, recall and SWD at K = 1, 10, 100 with a thumbnail of its samples over held-out
 * data; as its precision is below 0.9, the New run form and the Live view of a distillation from it warn
 * that the student can at best copy the teacher's errors. A distillation from the same file given by path (no
 * stored figures) is warned about once its own evaluation has measured the teacher. A teacher whose figures
 * are gone is measured from the Teachers view.
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run, TeacherRecord } from '@shared/store/types'
import { makeTinyTeacher } from '../trainer-host/helpers'
import { apiValue, startLab, waitForRunEnd, type Lab } from './lab'

let lab: Lab
let teacher: TeacherRecord

beforeAll(async () => {
  lab = await startLab('teacher quality')
  const dir = join(lab.dataDir, 'incoming')
  mkdirSync(dir, { recursive: true })
  await makeTinyTeacher(join(dir, 'tiny.ckpt'))
  teacher = await apiValue<TeacherRecord>(lab, 'teachers.import', { path: join(dir, 'tiny.ckpt'), name: 'tiny moons' })
}, 300_000)

afterAll(async () => {
  await lab?.close()
})

const WARNING = /the student can at best copy the teacher's errors/

describe('#17 teacher quality in the app', () => {
  it(
    '#17 Teachers view: figures, thumbnail and warning; New run and Live view warn',
    { timeout: 300_000 },
    async () => {
      expect(teacher.quality?.rows.map((r) => r.steps)).toEqual([1, 10, 100])
      const precision = teacher.quality?.rows[2]?.precision as number
      expect(precision).toBeLessThan(0.9)
      await lab.session('teacher quality', async ({ page, open, shot }) => {
        await open('#/teachers')
        const row = page.locator(`[data-testid="teacher-row"][data-teacher-id="${teacher.id}"]`)
        await row.waitFor({ timeout: 15_000 })
        await expect
          .poll(() => row.getByTestId('teacher-quality-k100').innerText())
          .toMatch(new RegExp(`100\\s+${precision.toFixed(2)}`))
        // Every sample of the thumbnail is drawn, or counted as outside the picture (a barely trained teacher's are).
        const thumbnail = row.getByTestId('teacher-thumbnail')
        const drawn = await thumbnail.locator('circle.teacher').count()
        const outside = Number(/\((\d+) outside/.exec((await thumbnail.getAttribute('aria-label')) ?? '')?.[1] ?? 0)
        expect(drawn + outside).toBe((teacher.quality?.thumbnail.length ?? 0) / 2)
        expect(await thumbnail.locator('circle.data').count()).toBe(1000)
        expect(await row.getByTestId('teacher-quality-warning').innerText()).toMatch(WARNING)
        await row.scrollIntoViewIfNeeded()
        await shot('teachers-quality')

        await open('#/new')
        await page.getByTestId('field-dataset').selectOption('moons')
        await page.getByTestId('field-teacher').selectOption(teacher.id)
        const warning = page.getByTestId('teacher-quality-warning')
        await expect.poll(() => warning.innerText(), { timeout: 15_000 }).toMatch(WARNING)
        await shot('new-run-warning')

        const run = await apiValue<Run>(lab, 'runs.start', {
          config: { dataset: 'moons', teacher: teacher.id, steps: 20, batch: 32, evalSamples: 64, sampleEvery: 0 },
        })
        await open(`#/run/${encodeURIComponent(run.id)}`)
        await page.getByTestId('live-run-view').waitFor()
        await expect
          .poll(() => page.getByTestId('teacher-quality-warning').innerText(), { timeout: 15_000 })
          .toMatch(WARNING)
        await shot('live-warning')
        expect(await waitForRunEnd(lab, run.id, 240_000)).toBe('finished')

        // Given by path, the teacher has no stored figures: the Live view warns once the run's own
        // evaluation has measured it.
        const byPath = await apiValue<Run>(lab, 'runs.start', {
          config: {
            dataset: 'moons',
            teacher: join(lab.dataDir, 'incoming', 'tiny.ckpt'),
            steps: 20,
            batch: 32,
            evalSamples: 64,
            sampleEvery: 0,
          },
        })
        expect(await waitForRunEnd(lab, byPath.id, 240_000)).toBe('finished')
        await open(`#/run/${encodeURIComponent(byPath.id)}`)
        await page.getByTestId('live-run-view').waitFor()
        await expect
          .poll(() => page.getByTestId('teacher-quality-warning').innerText(), { timeout: 15_000 })
          .toMatch(/measured by this run's evaluation: the student can at best copy the teacher's errors/)
        await shot('live-warning-path-teacher')

        // A teacher without stored figures (its file gone, as for one registered before #17) is measured from
        // the Teachers view.
        rmSync(join(lab.dataDir, 'teachers', teacher.id, 'quality.json'))
        await open('#/teachers')
        const unmeasured = page.locator(`[data-testid="teacher-row"][data-teacher-id="${teacher.id}"]`)
        await unmeasured.getByTestId('teacher-quality-missing').waitFor({ timeout: 15_000 })
        await unmeasured.getByTestId('teacher-measure').click()
        await expect
          .poll(() => unmeasured.getByTestId('teacher-quality-k100').innerText(), { timeout: 60_000 })
          .toMatch(new RegExp(`100\\s+${precision.toFixed(2)}`))
        await shot('teacher-measured')
      })
    },
  )
})
