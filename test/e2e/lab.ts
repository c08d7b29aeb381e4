/**
 * The end-to-end fixture: a real `clab serve` (child process, fresh temporary data folder, random port)
 * serving the built renderer, and Debian's Chromium driven headless through playwright-core.
 *
 *   const lab = await startLab('smoke')        // build if needed, serve, launch the browser
 *   await lab.session('loads', async (s) => {  // a fresh browser context and page
 *     await s.open('#/runs'); await s.shot('runs')
 *   })
 *   await lab.close()                          // browser, SIGINT to serve, data folder: always
 *
 * A session fails its test on any uncaught page error (also when the test body passed) and lists the
 * page's console errors in the failure; it screenshots the page when the body throws. Screenshots go to
 * test-results/e2e/<test name>/NN-<label>.png, cleared when the session starts.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'
import WebSocket from 'ws'
import { TERMINAL_STATUSES, type RunStatus } from '@shared/store/types'
import { connectWsClient, apiSocketUrl, type WebSocketConstructor, type WsClient } from '@shared/ipc/ws-client'
import { requireChromium } from './chromium'
import { claimRenderer, ROOT } from './renderer-build'

export const SCREENSHOT_ROOT = join(ROOT, 'test-results', 'e2e')
const CLAB = join(ROOT, 'bin', 'clab.mjs')
const SERVE_START_MS = 60_000
const SERVE_STOP_MS = 30_000
const NodeWebSocket = WebSocket as unknown as WebSocketConstructor

export interface Session {
  page: Page
  context: BrowserContext
  /** Uncaught exceptions and unhandled rejections in the page (each fails the test). */
  pageErrors: string[]
  /** console.error output and failed resource loads (reported with a failure, not failing by themselves). */
  consoleErrors: string[]
  /** Loads the lab's URL (with its token) at a hash route such as '#/new' and waits for the app shell. */
  open(hash?: string): Promise<void>
  /** Saves a full-page screenshot as NN-<label>.png in this test's folder; returns its path. */
  shot(label: string): Promise<string>
}

export interface Lab {
  /** The printed URL, `http://127.0.0.1:<port>/?token=…`. */
  url: string
  /** `http://127.0.0.1:<port>` (no token). */
  origin: string
  token: string
  dataDir: string
  browser: Browser
  /** The API over the same WebSocket the page uses (for set-up and checks), connected once. */
  api(): Promise<WsClient>
  /** What serve printed so far (stdout and stderr interleaved). */
  serveLog(): string
  session<T>(testName: string, body: (session: Session) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'unnamed'

interface Serve {
  child: ChildProcess
  url: string
  log: () => string
  stop: () => Promise<void>
}

async function startServe(dataDir: string): Promise<Serve> {
  const child = spawn(process.execPath, [CLAB, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, CLAB_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
  // Last resort if the test process dies without running its cleanup: no serve outlives it.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const stop = async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    // SIGINT is what Ctrl-C sends: serve checkpoints running runs and closes the store.
    child.kill('SIGINT')
    const timer = setTimeout(() => child.kill('SIGKILL'), SERVE_STOP_MS)
    await exited
    clearTimeout(timer)
  }

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`e2e: clab serve printed no URL within ${SERVE_START_MS / 1000} s:\n${log}`)),
        SERVE_START_MS,
      )
      const look = () => {
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(log)
        if (match) {
          clearTimeout(timer)
          resolve(match[0])
        }
      }
      child.stdout?.on('data', look)
      child.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      void exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`e2e: clab serve exited (code ${code}) before printing its URL:\n${log}`))
      })
    })
    return { child, url, log: () => log, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * A full-page screenshot is stitched from one tall viewport, where sticky bars land mid-page over the
 * content; in the pictures they sit where the document puts them instead.
 */
const UNSTICK = '.app-header, .launch-bar { position: static !important; }'

/** Ignored console noise: the browser asks for a favicon the renderer does not ship. */
const isNoise = (message: ConsoleMessage) => /\/favicon\.ico(\?|$)/.test(message.location().url)

export async function startLab(name: string): Promise<Lab> {
  const executablePath = requireChromium()
  const unclaim = await claimRenderer()
  const dataDir = mkdtempSync(join(tmpdir(), `clab-e2e-${slug(name)}-`))
  const cleanups: Array<() => Promise<void> | void> = [unclaim, () => rmSync(dataDir, { recursive: true, force: true })]
  const cleanup = async () => {
    const errors: unknown[] = []
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `e2e: cleanup failed: ${errors.map(String).join('; ')}`)
  }

  try {
    const serve = await startServe(dataDir)
    cleanups.push(serve.stop)
    const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'], timeout: 60_000 })
    cleanups.push(() => browser.close())
    const url = serve.url
    const parsed = new URL(url)
    let client: Promise<WsClient> | null = null

    const lab: Lab = {
      url,
      origin: parsed.origin,
      token: parsed.searchParams.get('token') ?? '',
      dataDir,
      browser,
      serveLog: serve.log,
      api() {
        if (!client) {
          client = connectWsClient(apiSocketUrl(url), { WebSocket: NodeWebSocket })
          const opened = client
          cleanups.push(async () => {
            const c = await opened.catch(() => null)
            c?.close()
          })
        }
        return client
      },
      session: (testName, body) => runSession(lab, testName, body),
      close: cleanup,
    }
    return lab
  } catch (error) {
    await cleanup().catch(() => {})
    throw error
  }
}

async function runSession<T>(lab: Lab, testName: string, body: (session: Session) => Promise<T>): Promise<T> {
  const dir = join(SCREENSHOT_ROOT, slug(testName))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const context = await lab.browser.newContext({ viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const pageErrors: string[] = []
  const consoleErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && !isNoise(message))
      consoleErrors.push(`${message.text()} (${message.location().url})`)
  })
  let shots = 0
  const session: Session = {
    page,
    context,
    pageErrors,
    consoleErrors,
    async open(hash = '') {
      await page.goto(`${lab.url}${hash}`)
      await page.locator('header .brand', { hasText: 'Consistency Lab' }).waitFor()
    },
    async shot(label) {
      const path = join(dir, `${String(++shots).padStart(2, '0')}-${slug(label)}.png`)
      await page.screenshot({ path, fullPage: true, style: UNSTICK })
      return path
    },
  }

  const details = () =>
    [
      pageErrors.length > 0 ? `uncaught page errors:\n  ${pageErrors.join('\n  ')}` : '',
      consoleErrors.length > 0 ? `console errors:\n  ${consoleErrors.join('\n  ')}` : '',
      `screenshots: ${dir}`,
    ]
      .filter(Boolean)
      .join('\n')

  try {
    let result: T
    try {
      result = await body(session)
    } catch (error) {
      await session.shot('failure').catch(() => {})
      if (error instanceof Error) error.message += `\n${details()}\nclab serve output:\n${lab.serveLog()}`
      throw error
    }
    if (pageErrors.length > 0) throw new Error(`e2e: the page threw\n${details()}`)
    return result
  } finally {
    await context.close().catch(() => {})
  }
}

/** One API call's value for set-up and checks; a failure throws with the method and the error message. */
export async function apiValue<T>(lab: Lab, method: Parameters<WsClient['call']>[0], payload?: unknown): Promise<T> {
  const client = await lab.api()
  const result = await client.call(method, payload as never)
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`)
  return result.value as T
}

/** Waits (polling the API) until a run reaches a terminal status; returns that status. */
export async function waitForRunEnd(lab: Lab, id: string, timeoutMs: number): Promise<RunStatus> {
  const api = await lab.api()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await api.call('runs.get', { id })
    if (result.ok && TERMINAL_STATUSES.includes(result.value.status)) return result.value.status
    if (Date.now() > deadline)
      throw new Error(
        `e2e: run ${id} did not end within ${timeoutMs / 1000} s (last: ${JSON.stringify(result).slice(0, 300)})`,
      )
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
