/**
 * #20 The benchmark on a one-core machine: with the target-side thread off (CLAB_TARGET_THREAD=0, what
 * availableParallelism() < 2 gives), `npm run bench` once reused the disposed one-thread distiller for its
 * leak check and died. The real bench script runs here in a child process, in the quick mode CI uses.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lastJsonLine } from '../helpers/cli'

const root = fileURLToPath(new URL('../..', import.meta.url))

function bench(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bench.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

interface WasmFigures {
  cdThreads: number
  cdStepEulerMs: number
  cdStepEulerOneThreadMs: number
  tensorsBefore: number
  tensorsAfter: number
  leakCheckSteps: number
  sampleStudent1StepMsPerSample: number
}

describe('#20 bench with the target-side thread off', () => {
  it('runs the quick wasm bench to the end on one thread, with a leak check over the measured distiller', async () => {
    const result = await bench(['--backends', 'wasm', '--skip-store', '--skip-images', '--quick', '--json'], {
      CLAB_TARGET_THREAD: '0',
    })
    expect(result.code, result.stderr).toBe(0)
    const summary = lastJsonLine(result.stdout) as { backends: Record<string, WasmFigures>; unavailable: object }
    expect(summary.unavailable).toEqual({})
    const wasm = summary.backends.wasm
    expect(wasm).toBeDefined()
    if (!wasm) return
    // One thread: the Euler figure and its one-thread figure are the same measurement.
    expect(wasm.cdThreads).toBe(1)
    expect(wasm.cdStepEulerMs).toBe(wasm.cdStepEulerOneThreadMs)
    expect(wasm.leakCheckSteps).toBeGreaterThan(0)
    expect(wasm.tensorsAfter).toBe(wasm.tensorsBefore)
    expect(wasm.sampleStudent1StepMsPerSample).toBeGreaterThan(0)
  })
})
