/**
 * The real bench script (`npm run bench`, quick mode) in a child process with the target-side thread off, as
 * on a one-core machine: wasm always, webgpu beside it where an adapter exists (lavapipe in CI).
 * - #20: with CLAB_TARGET_THREAD=0 (what availableParallelism() < 2 gives) the bench once reused the disposed
 *   one-thread distiller for its leak check and died. It must run to the end, leak-free, on one thread.
 * - #18: webgpu is measured, labelled with its adapter (software or hardware), with kernels per teacher and CD
 *   step. Skipped with the reason only where no adapter exists, failing under CI=true.
 * - the run store's figures on a real database file (quick sizes), as `npm run bench` prints them.
 * One bench process serves all three: each backend is measured on its own. test:all runs no bench of its own
 * besides this one; its printed table is logged here, so CI's output carries the figures.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { probeAdapter } from '../../src-main/engine/backend-webgpu'
import { lastJsonLine } from '../helpers/cli'

const root = fileURLToPath(new URL('../..', import.meta.url))
const probe = await probeAdapter()
const missing = typeof probe === 'string' ? probe : null
if (missing) {
  if (process.env.CI === 'true') throw new Error(`#18 CI must bench the webgpu backend, but ${missing}`)
  console.warn(`#18 webgpu bench skipped: ${missing}`)
}

interface Figures {
  label: string
  teacherStepKernels: { kernels: number; kernelMs: number | null }
  cdStepEulerKernels: { kernels: number; kernelMs: number | null }
  teacherStepMs: number
  cdThreads: number
  cdStepEulerMs: number
  cdStepEulerOneThreadMs: number
  tensorsBefore: number
  tensorsAfter: number
  leakCheckSteps: number
  sampleStudent1StepMsPerSample: number
}

function bench(backends: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/bench.ts', '--backends', backends, '--skip-images', '--quick', '--json'],
      { cwd: root, env: { ...process.env, CLAB_TARGET_THREAD: '0' } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the quick bench with the target-side thread off', () => {
  it('#20 runs wasm to the end on one thread, leak-free; #18 labels webgpu with its adapter and counts kernels per step; #3 measures the store', async () => {
    const result = await bench(missing === null ? 'webgpu,wasm' : 'wasm')
    expect(result.code, result.stderr).toBe(0)
    console.info(result.stdout.trim().split('\n').slice(0, -1).join('\n'))
    const summary = lastJsonLine(result.stdout) as {
      backends: Record<string, Figures>
      unavailable: object
      store: Record<string, number> | null
    }
    expect(summary.unavailable).toEqual({})
    expect(summary.store?.ingestPointsPerSec).toBeGreaterThan(0)
    expect(summary.store?.listedRuns).toBeGreaterThanOrEqual(1000)
    expect(result.stdout).toMatch(/^store +ingestPointsPerSec: \d+$/m)

    const wasm = summary.backends.wasm as Figures
    expect(wasm.label).toBe('wasm')
    // One thread: the Euler figure and its one-thread figure are the same measurement.
    expect(wasm.cdThreads).toBe(1)
    expect(wasm.cdStepEulerMs).toBe(wasm.cdStepEulerOneThreadMs)
    expect(wasm.leakCheckSteps).toBeGreaterThan(0)
    expect(wasm.tensorsAfter).toBe(wasm.tensorsBefore)
    expect(wasm.sampleStudent1StepMsPerSample).toBeGreaterThan(0)

    if (missing !== null) return
    const webgpu = summary.backends.webgpu as Figures
    expect(webgpu.label).toMatch(/^webgpu \(.+, (software|hardware)\)$/)
    expect(result.stdout).toContain(webgpu.label)
    // The same step launches the same ops on both backends (the engine's own kernels are per backend only on cpu).
    expect(webgpu.teacherStepKernels.kernels).toBeGreaterThan(0)
    expect(webgpu.cdStepEulerKernels.kernels).toBeGreaterThan(webgpu.teacherStepKernels.kernels)
    expect(result.stdout).toMatch(/webgpu +kernels per step: teacher \d+ kernels/)
    expect(webgpu.tensorsAfter).toBe(webgpu.tensorsBefore)
  }, 900_000)
})
