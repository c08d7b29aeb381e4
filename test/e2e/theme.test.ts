/**
 * End-to-end, in Chromium against `clab serve`: the theme follows the system's light / dark setting,
 * including the charts (their colours are read from the theme when they are built).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './lab'

let lab: Lab

beforeAll(async () => {
  lab = await startLab('theme')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

/** Relative luminance-ish brightness of a CSS `rgb(r, g, b)` colour, 0..255. */
function brightness(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number)
  return 0.299 * r + 0.587 * g + 0.114 * b
}

describe('theme', () => {
  it('is light or dark as the system says, and switches live', async () => {
    await lab.session('theme follows the system', async ({ page, open, shot }) => {
      await page.emulateMedia({ colorScheme: 'light' })
      await open('#/new')
      await page.getByTestId('dataset-preview').waitFor()
      const colors = () =>
        page.evaluate(
          '[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]',
        ) as Promise<[string, string]>
      const [lightBg, lightFg] = await colors()
      expect(brightness(lightBg)).toBeGreaterThan(200)
      expect(brightness(lightFg)).toBeLessThan(80)
      await shot('light')
      await page.emulateMedia({ colorScheme: 'dark' })
      const [darkBg, darkFg] = await colors()
      expect(brightness(darkBg)).toBeLessThan(50)
      expect(brightness(darkFg)).toBeGreaterThan(180)
      // Charts built after the switch take the dark theme's text colour.
      await open('#/new')
      await page.getByTestId('dataset-preview').waitFor()
      await shot('dark')
    })
  })
})
