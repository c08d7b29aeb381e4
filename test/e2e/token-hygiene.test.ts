/**
 * #15.13 in a real browser: the printed URL's token leaves the address bar once the page has loaded, and
 * the page keeps working on the cookie that load set (its API socket, a reload).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './lab'

let lab: Lab

beforeAll(async () => {
  lab = await startLab('token-hygiene')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

describe('clab serve token hygiene in Chromium', () => {
  it('#15.13 the token leaves the address bar and the page still reaches the API, also after a reload', async () => {
    await lab.session('token hygiene', async ({ page, open }) => {
      await open('#/teachers')
      await page.waitForURL((url) => !url.searchParams.has('token'))
      expect(page.url()).toBe(`${lab.origin}/#/teachers`)
      expect(await page.evaluate('location.href')).not.toContain(lab.token)
      // Teacher rows come only from an API answer over the page's socket.
      await page.getByTestId('teacher-row').first().waitFor()
      await page.reload()
      await page.locator('header .brand').waitFor()
      await page.getByTestId('teacher-row').first().waitFor()
      expect(page.url()).toBe(`${lab.origin}/#/teachers`)
    })
  })
})
