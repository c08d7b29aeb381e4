/**
 * End-to-end smoke test in Chromium against `clab serve`: the app loads with the printed token, its
 * navigation works, and nothing (page or API socket) is served without the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './lab'

let lab: Lab

beforeAll(async () => {
  lab = await startLab('smoke')
}, 180_000)

afterAll(async () => {
  await lab?.close()
})

describe('clab serve in Chromium', () => {
  it('loads the app with the token and moves between the views with the nav links', async () => {
    await lab.session('smoke nav', async ({ page, open, shot }) => {
      await open()
      await expect(page.title()).resolves.toBe('Consistency Lab')
      const nav = page.getByRole('navigation', { name: 'Views' })
      const views = [
        { link: 'New run', hash: '#/new' },
        { link: 'Compare', hash: '#/compare' },
        { link: 'Teachers', hash: '#/teachers' },
        { link: 'Runs', hash: '#/runs' },
      ]
      for (const { link, hash } of views) {
        await nav.getByRole('link', { name: link, exact: true }).click()
        await page.waitForURL((url) => url.hash.startsWith(hash))
        // The route follows the URL on `hashchange`, a task after the URL changed: wait for the highlight.
        await nav
          .getByRole('link', { name: link, exact: true })
          .and(nav.locator('[aria-current="page"]'))
          .waitFor({ timeout: 5000 })
        // Exactly one tab is current: the route, not a stale highlight, decides.
        await expect(nav.locator('[aria-current="page"]').count()).resolves.toBe(1)
        await shot(link)
      }
      // Alt+2 is the keyboard way to the form.
      await page.keyboard.press('Alt+2')
      await page.waitForURL((url) => url.hash === '#/new')
      // A reload keeps the route: the token cookie set on the first load serves the page and its socket.
      await page.reload()
      await page.locator('header .brand').waitFor()
      expect(new URL(page.url()).hash).toBe('#/new')
      await expect(nav.getByRole('link', { name: 'New run', exact: true }).getAttribute('aria-current')).resolves.toBe(
        'page',
      )
    })
  })

  it('answers the page through the API socket the page opened with its token', async () => {
    const api = await lab.api()
    const info = await api.call('system.info')
    expect(info.ok && info.value.dataDir).toBe(lab.dataDir)
  })

  it('fails a session whose page throws, even when its own checks passed (the fixture guards every test)', async () => {
    const session = lab.session('smoke page error', async ({ page, open }) => {
      await open()
      await page.evaluate(() =>
        setTimeout(() => {
          throw new Error('boom from the page')
        }),
      )
      await page.waitForTimeout(200)
    })
    await expect(session).rejects.toThrow(/the page threw[\s\S]*boom from the page/)
  })

  it('refuses the page and the API socket without the token (or with a wrong one)', async () => {
    await lab.session('smoke no token', async ({ page, shot }) => {
      const bare = await page.goto(`${lab.origin}/`)
      expect(bare?.status()).toBe(401)
      await expect(page.locator('body').innerText()).resolves.toMatch(/unauthorized/)
      await expect(page.locator('header .brand').count()).resolves.toBe(0)
      await shot('no token')

      const wrongToken = lab.token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))
      const wrong = await page.goto(`${lab.origin}/?token=${wrongToken}#/runs`)
      expect(wrong?.status()).toBe(401)
      await shot('wrong token')

      // From this origin but with no cookie and no token, the browser's WebSocket to /api is refused;
      // the same socket with the token opens (so the refusal is about the token, not the socket).
      const outcome = (query: string) =>
        page.evaluate(
          (url) =>
            new Promise<string>((resolve) => {
              const Ws = (
                globalThis as unknown as {
                  WebSocket: new (u: string) => { onopen: () => void; onerror: () => void; close: () => void }
                }
              ).WebSocket
              const ws = new Ws(url)
              ws.onopen = () => {
                ws.close()
                resolve('open')
              }
              ws.onerror = () => resolve('refused')
            }),
          `${lab.origin.replace(/^http/, 'ws')}/api${query}`,
        )
      expect(await outcome('')).toBe('refused')
      expect(await outcome(`?token=${wrongToken}`)).toBe('refused')
      expect(await outcome(`?token=${lab.token}`)).toBe('open')
    })
  })
})
