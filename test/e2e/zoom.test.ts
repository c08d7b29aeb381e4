/**
 * End-to-end, in Chromium against `clab serve`: dragging across the Compare view's curves zooms to that
 * range of steps (each run's buckets refetched for it) and "Reset zoom" goes back to the full range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '@shared/store/types'
import { startLab, waitForRunEnd, type Lab } from './lab'

let lab: Lab
const ids: string[] = []

beforeAll(async () => {
  lab = await startLab('zoom')
  const client = await lab.api()
  for (const numScales of [6, 12]) {
    const result = await client.call('runs.start', {
      config: { dataset: 'moons', numScales, steps: 150, batch: 32, evalSamples: 100, sampleEvery: 0 },
    })
    if (!result.ok) throw new Error(result.error.message)
    ids.push((result.value as Run).id)
  }
  for (const id of ids) expect(await waitForRunEnd(lab, id, 240_000)).toBe('finished')
}, 300_000)

afterAll(async () => {
  await lab?.close()
})

describe('Compare curves', () => {
  it('zoom to a dragged step range and reset', async () => {
    await lab.session('drag to zoom', async ({ page, open, shot }) => {
      await open(`#/compare?ids=${ids.join(',')}`)
      const chart = page.getByTestId('compare-curves-chart')
      await chart.waitFor()
      const canvas = chart.locator('canvas')
      // Let chart.js lay out the canvas before dragging across it.
      await expect.poll(async () => (await canvas.boundingBox())?.width ?? 0).toBeGreaterThan(200)
      await shot('before')
      const box = (await canvas.boundingBox()) as { x: number; y: number; width: number; height: number }
      const y = box.y + box.height / 2
      await page.mouse.move(box.x + box.width * 0.35, y)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 })
      await page.mouse.move(box.x + box.width * 0.65, y, { steps: 8 })
      await page.mouse.up()
      const reset = page.getByTestId('compare-reset-zoom')
      await reset.waitFor({ timeout: 10_000 })
      await shot('zoomed')
      await reset.click()
      await expect.poll(() => reset.count()).toBe(0)
      await shot('reset')
    })
  })
})
