/**
 * #19 item 20 end to end, in Chromium at 1440 x 900: the New run form's sticky Launch bar does not cover
 * the field being edited (a field reached by focus scrolls clear of it). Screenshots: test-results/e2e/.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCREENSHOT_ROOT, slug, startLab, type Lab } from './lab'

let lab: Lab

beforeAll(async () => {
  lab = await startLab('launch bar')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

describe('#19 the New run form', () => {
  it('#19.20 the sticky Launch bar does not cover the field being edited', async () => {
    await lab.session('launch bar and fields', async ({ page, open, shot }) => {
      await page.setViewportSize({ width: 1440, height: 900 })
      await open('#/new')
      const field = page.getByTestId('field-teacherSubsteps')
      const bar = page.locator('.launch-bar')
      await field.waitFor()
      // Scroll so that the field sits just above the viewport's bottom edge, where the stuck bar lies.
      const before = await field.boundingBox()
      await page.evaluate(`window.scrollBy(0, ${Math.round((before?.y ?? 0) + (before?.height ?? 0) - 900 + 10)})`)
      await field.focus()
      const f = await field.boundingBox()
      const b = await bar.boundingBox()
      expect(f).not.toBeNull()
      expect(b).not.toBeNull()
      expect(f!.y + f!.height).toBeLessThanOrEqual(b!.y)
      await page.screenshot({
        path: join(SCREENSHOT_ROOT, slug('launch bar and fields'), '02-focused-field-above-the-bar.png'),
      })
      await shot('form')
    })
  }, 60_000)
})
