/**
 * #18 `npm run bench` measures webgpu where an adapter exists (lavapipe in CI), labelled with its adapter
 * (software or hardware), and reports kernels per teacher and CD step for every backend. The real bench
 * script runs in a child process, quick mode, beside wasm; skipped with the reason only where no adapter
 * exists, failing under CI=true.
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
  tensorsBefore: number
  tensorsAfter: number
}

describe.skipIf(missing !== null)('#18 bench on webgpu', () => {
  it('#18 labels webgpu with its adapter and counts kernels per step beside wasm', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/bench.ts',
          '--backends',
          'webgpu,wasm',
          '--skip-store',
          '--skip-images',
          '--quick',
          '--json',
        ],
        { cwd: root, env: { ...process.env, CLAB_TARGET_THREAD: '0' } },
      )
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
    expect(result.code, result.stderr).toBe(0)
    const summary = lastJsonLine(result.stdout) as { backends: Record<string, Figures>; unavailable: object }
    expect(summary.unavailable).toEqual({})
    const webgpu = summary.backends.webgpu as Figures
    const wasm = summary.backends.wasm as Figures
    expect(webgpu.label).toMatch(/^webgpu \(.+, (software|hardware)\)$/)
    expect(result.stdout).toContain(webgpu.label)
    expect(wasm.label).toBe('wasm')
    // The same step launches the same ops on both backends (the engine's own kernels are per backend only on cpu).
    expect(webgpu.teacherStepKernels.kernels).toBeGreaterThan(0)
    expect(webgpu.cdStepEulerKernels.kernels).toBeGreaterThan(webgpu.teacherStepKernels.kernels)
    expect(result.stdout).toMatch(/webgpu +kernels per step: teacher \d+ kernels/)
    expect(webgpu.tensorsAfter).toBe(webgpu.tensorsBefore)
  }, 900_000)
})
