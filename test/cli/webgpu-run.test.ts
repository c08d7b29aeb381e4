/**
 * #18: a whole short run through the real `clab` on the webgpu backend (Dawn on whatever adapter exists:
 * lavapipe in CI): it trains, evaluates and finishes, and the run records and prints its adapter.
 * Skipped, saying why, only where no adapter exists; under CI=true a missing adapter fails instead.
 */
import { describe, expect, it } from 'vitest'
import { probeAdapter } from '../../src-main/engine/backend-webgpu'
import { clab, lastJsonLine } from '../helpers/cli'

const probe = await probeAdapter()
const missing = typeof probe === 'string' ? probe : null
if (missing) {
  if (process.env.CI === 'true') throw new Error(`#18 CI must run the webgpu backend, but ${missing}`)
  console.warn(`#18 clab --backend webgpu skipped: ${missing}`)
}

describe.skipIf(missing !== null)('#18 clab distill --backend webgpu', () => {
  // 12 steps, four times the loss reader's lag (LOSS_LAG): about 1.4 s a step on lavapipe, 24 cost 17 s more.
  it('#18 finishes a short run and records its adapter', async () => {
    const result = await clab([
      'distill',
      '--dataset',
      'moons',
      '--steps',
      '12',
      '--batch',
      '64',
      '--eval-samples',
      '200',
      '--backend',
      'webgpu',
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const summary = lastJsonLine(result.stdout) as {
      backend: string
      steps: number
      lastLoss: number
      metrics: { student?: { nfe1?: { swd: number } } }
    }
    expect(summary.backend).toMatch(/^webgpu \(.+, (software|hardware)\)$/)
    expect(result.stderr).toContain(`backend: ${summary.backend}`)
    expect(summary.steps).toBe(12)
    expect(Number.isFinite(summary.lastLoss)).toBe(true)
    expect(summary.metrics.student?.nfe1?.swd).toBeGreaterThan(0)
  }, 600_000)
})
