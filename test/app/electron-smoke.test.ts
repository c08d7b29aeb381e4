/**
 * Electron smoke test (Playwright `_electron`): the built app opens its window over app://, the preload
 * bridge answers, and a short teacher run starts in the utilityProcess and finishes.
 *
 * It needs the Electron binary, which Electron >= 42 fetches on first run (not at install) — impossible
 * offline. Where `node_modules/electron/path.txt` or the file it names under `dist/` is missing, the test
 * is skipped and says why. It also needs `npm run build` first and, on headless Linux, a display (Xvfb).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

function electronBinary(): { path: string | null; reason: string } {
  const pkg = join(root, 'node_modules', 'electron')
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pkg)) return { path: null, reason: 'the electron package is not installed' }
  if (!existsSync(pathFile))
    return {
      path: null,
      reason: `${pathFile} is missing: the Electron binary was never downloaded (Electron >= 42 fetches it on first run; run \`npx install-electron\` with network access)`,
    }
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { path: null, reason: `${binary} is missing: the Electron download is incomplete` }
  if (!existsSync(join(root, 'out', 'main', 'index.js')))
    return { path: null, reason: 'out/main/index.js is missing: run `npm run build` first' }
  return { path: binary, reason: '' }
}

const binary = electronBinary()
if (!binary.path) console.log(`Electron smoke test skipped: ${binary.reason}`)

describe('Electron smoke test', () => {
  it.skipIf(!binary.path)(
    'opens the window, answers over the preload, runs a short teacher run to the end',
    async () => {
      const { _electron } = await import('playwright-core')
      const home = mkdtempSync(join(tmpdir(), 'clab-electron-home-'))
      const app = await _electron.launch({
        executablePath: binary.path!,
        args: [join(root, 'out', 'main', 'index.js')],
        // userData lives under XDG_CONFIG_HOME on Linux: a fresh, throw-away data folder.
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
        timeout: 60_000,
      })
      try {
        const page = await app.firstWindow()
        await page.waitForLoadState('domcontentloaded')
        expect(page.url()).toMatch(/^app:\/\/consistency-lab\//)
        const result = await page.evaluate(async () => {
          const api = (
            globalThis as unknown as {
              api: Record<string, (p?: unknown) => Promise<{ ok: boolean; value?: unknown; error?: unknown }>>
            }
          ).api
          const info = await api['system.info']!()
          const started = await api['runs.startTeacher']!({ config: { dataset: 'moons', steps: 20 } })
          if (!started.ok) return { info, started }
          const id = (started.value as { id: string }).id
          for (let i = 0; i < 600; i++) {
            const run = await api['runs.get']!({ id })
            const status = (run.value as { status: string } | undefined)?.status
            if (status && !['queued', 'running'].includes(status)) return { info, started, final: run }
            await new Promise((r) => setTimeout(r, 200))
          }
          return { info, started, final: 'timeout' }
        })
        expect(result.info.ok).toBe(true)
        expect(result.started.ok, JSON.stringify(result.started)).toBe(true)
        expect(result.final).toMatchObject({ ok: true, value: { status: 'finished' } })
      } finally {
        await app.close()
        rmSync(home, { recursive: true, force: true })
      }
    },
    180_000,
  )
})
