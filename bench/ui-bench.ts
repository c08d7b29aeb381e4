/**
 * `npm run bench:ui [-- --json] [--runs 20] [--points 100000] [--stream-seconds 20]`: how the renderer feels,
 * measured in Debian's Chromium against a real `clab serve` (the e2e fixture), with numbers printed rather
 * than asserted (these machines are shared and noisy):
 *
 * - Compare with many long runs (default 20 runs × 100k loss points, written straight into the history):
 *   time until the overlaid curves are drawn, and how long each interaction takes until the next frame
 *   (smoothing slider, log y, x = wall time, a drag-zoom that refetches exact buckets, its reset), plus the
 *   longest main-thread task seen.
 * - A live run streaming into the Live view: the longest frame gap and main-thread task while it trains,
 *   and how many frames took longer than 50 ms.
 */
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { MetricPoint, Run } from '@shared/store/types'
import { openLabStore } from '../src-main/store'
import { startLab, type Lab } from '../test/e2e/lab'

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '20' },
    points: { type: 'string', default: '100000' },
    'stream-seconds': { type: 'string', default: '20' },
  },
})
const RUNS = Number(values.runs)
const POINTS = Number(values.points)
const STREAM_SECONDS = Number(values['stream-seconds'])

const log = (line: string) => {
  if (!values.json) console.log(line)
}

/** Writes `runs` finished runs with `points` loss points each (a noisy decaying curve) into the history. */
function seedHistory(dataDir: string): string[] {
  const store = openLabStore({ dataDir })
  try {
    const ids: string[] = []
    for (let r = 0; r < RUNS; r++) {
      const run = store.runs.createRun({
        kind: 'distill',
        status: 'finished',
        appVersion: 'bench',
        config: { ...DISTILL_DEFAULTS, numScales: 10 + r, steps: POINTS },
        seed: r,
      })
      const start = Date.UTC(2026, 0, 1) + r * 3_600_000
      for (let i = 0; i < POINTS; i += 10_000) {
        const batch: MetricPoint[] = []
        for (let step = i; step < Math.min(POINTS, i + 10_000); step++) {
          const value =
            (0.5 + 0.02 * r) * Math.exp(-step / (POINTS / 4)) + 0.05 * Math.abs(Math.sin(step * 0.37 + r)) + 0.01
          batch.push({ key: 'loss', step, value, wallMs: start + step * 20 })
        }
        store.metrics.appendMetrics(run.id, batch)
      }
      ids.push(run.id)
    }
    return ids
  } finally {
    store.close()
  }
}

// Browser-side snippets as strings: this file is type-checked against Node, not the DOM.
const START_RECORDING = `(() => {
  window.__bench = { longTasks: [], gaps: [], stop: false }
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration) }).observe({ type: 'longtask' })
  let last = performance.now()
  const frame = (now) => { window.__bench.gaps.push(now - last); last = now; if (!window.__bench.stop) requestAnimationFrame(frame) }
  requestAnimationFrame(frame)
})()`
const STOP_RECORDING = `(() => { window.__bench.stop = true; return { longTasks: window.__bench.longTasks, gaps: window.__bench.gaps } })()`
const NOW = 'performance.now()'
const afterTwoFrames = (t0: number) =>
  `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - ${t0}))))`

/** Starts recording long tasks and frame gaps in the page. */
async function startRecording(page: Page): Promise<void> {
  await page.evaluate(START_RECORDING)
}

async function stopRecording(page: Page): Promise<{ longTasks: number[]; gaps: number[] }> {
  return (await page.evaluate(STOP_RECORDING)) as { longTasks: number[]; gaps: number[] }
}

/** Milliseconds from `act` until two animation frames later (the change is laid out and painted). */
async function timeInteraction(page: Page, act: () => Promise<void>): Promise<number> {
  const start = (await page.evaluate(NOW)) as number
  await act()
  return (await page.evaluate(afterTwoFrames(start))) as number
}

const max = (xs: number[]) => (xs.length === 0 ? 0 : Math.max(...xs))

async function benchCompare(lab: Lab, ids: string[]) {
  return lab.session('bench compare', async ({ page, open }) => {
    const t0 = Date.now()
    await open(`#/compare?ids=${ids.join(',')}`)
    const chart = page.getByTestId('compare-curves-chart')
    await chart.waitFor({ timeout: 120_000 })
    // Drawn: the legend lists every run and the canvas has its size.
    await page.getByTestId('compare-legend').waitFor()
    const firstDrawMs = Date.now() - t0
    await startRecording(page)
    const interactions: Record<string, number> = {}
    interactions.smoothing = await timeInteraction(page, () => page.getByTestId('compare-smoothing').fill('0.9'))
    interactions.logY = await timeInteraction(page, () => page.getByTestId('compare-logy').check())
    interactions.wallTime = await timeInteraction(page, () =>
      page
        .getByTestId('compare-xaxis')
        .selectOption('wall')
        .then(() => undefined),
    )
    await page.getByTestId('compare-xaxis').selectOption('step')
    const canvas = chart.locator('canvas')
    const box = (await canvas.boundingBox()) as { x: number; y: number; width: number; height: number }
    const y = box.y + box.height / 2
    interactions.zoomRefetch = await timeInteraction(page, async () => {
      await page.mouse.move(box.x + box.width * 0.3, y)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 })
      await page.mouse.up()
      await page.getByTestId('compare-reset-zoom').waitFor({ timeout: 60_000 })
    })
    interactions.zoomReset = await timeInteraction(page, () => page.getByTestId('compare-reset-zoom').click())
    const { longTasks } = await stopRecording(page)
    return { firstDrawMs, interactions, longestTaskMs: max(longTasks) }
  })
}

async function benchStreaming(lab: Lab) {
  const client = await lab.api()
  const started = await client.call('runs.start', { config: { dataset: 'moons', steps: 100_000, sampleEvery: 250 } })
  if (!started.ok) throw new Error(started.error.message)
  const id = (started.value as Run).id
  try {
    return await lab.session('bench streaming', async ({ page, open }) => {
      await open(`#/run/${id}`)
      await page.getByTestId('live-run-view').waitFor()
      await page.getByTestId('loss-chart').waitFor({ timeout: 120_000 })
      await startRecording(page)
      const stepBefore = Number(await page.getByTestId('run-progress').getAttribute('aria-valuenow'))
      await page.waitForTimeout(STREAM_SECONDS * 1000)
      const stepAfter = Number(await page.getByTestId('run-progress').getAttribute('aria-valuenow'))
      const { longTasks, gaps } = await stopRecording(page)
      return {
        seconds: STREAM_SECONDS,
        progressAdvanced: stepAfter > stepBefore,
        frames: gaps.length,
        longestFrameMs: max(gaps),
        framesOver50Ms: gaps.filter((g) => g > 50).length,
        longestTaskMs: max(longTasks),
      }
    })
  } finally {
    await client.call('runs.cancel', { id })
  }
}

const lab = await startLab('ui bench')
try {
  log(`seeding ${RUNS} runs × ${POINTS} loss points…`)
  const seedStart = performance.now()
  const ids = seedHistory(lab.dataDir)
  log(`  ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)
  const compare = await benchCompare(lab, ids)
  log(
    `Compare, ${RUNS} runs × ${POINTS} points: first draw ${compare.firstDrawMs} ms; longest main-thread task ${compare.longestTaskMs.toFixed(0)} ms`,
  )
  for (const [name, ms] of Object.entries(compare.interactions))
    log(`  ${name.padEnd(12)} ${ms.toFixed(0)} ms to the next frame`)
  const streaming = await benchStreaming(lab)
  log(
    `Live run streaming for ${streaming.seconds} s: ${streaming.frames} frames, longest ${streaming.longestFrameMs.toFixed(0)} ms, ` +
      `${streaming.framesOver50Ms} over 50 ms; longest main-thread task ${streaming.longestTaskMs.toFixed(0)} ms` +
      (streaming.progressAdvanced ? '' : ' (the run did not advance: check the machine)'),
  )
  if (values.json) console.log(JSON.stringify({ compare: { runs: RUNS, pointsPerRun: POINTS, ...compare }, streaming }))
} finally {
  await lab.close()
}
