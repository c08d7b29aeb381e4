/**
 * wasm-threads.ts: tfjs-backend-wasm's threaded build started in Node. Each case is its own process, since
 * a process selects its backend once.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { outsideAsar, wasmThreadsFromEnv } from '../../src-main/engine/wasm-threads'

const root = fileURLToPath(new URL('../..', import.meta.url))

interface Probe {
  label: string
  wasmThreads: number
  skipped: string[]
  loss: number
  digest: string
}

function probe(threads: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/wasm-threads-probe.ts', String(threads)], {
      cwd: root,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    // The probe returns without process.exit: a pool worker left referenced would keep it alive past this.
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the probe with ${threads} threads did not exit by itself:\n${stdout}\n${stderr}`))
    }, 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`probe exited ${code}: ${stderr}`))
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Probe)
    })
  })
}

describe('threaded wasm in Node', () => {
  it('runs XNNPACK on two threads, gives the single thread its exact numbers, and lets the process exit', async () => {
    const [one, two] = await Promise.all([probe(1), probe(2)])
    expect(one).toMatchObject({ label: 'wasm', wasmThreads: 1, skipped: [] })
    expect(two).toMatchObject({ label: 'wasm (2 threads)', wasmThreads: 2, skipped: [] })
    expect(Number.isFinite(two.loss)).toBe(true)
    // Each output element is reduced by one thread in a fixed order, so threads change nothing.
    expect(two.digest).toBe(one.digest)
  })

  it('reads CLAB_WASM_THREADS as a whole number from 1 to 8 and names a bad value', () => {
    expect(wasmThreadsFromEnv({})).toBeNull()
    expect(wasmThreadsFromEnv({ CLAB_WASM_THREADS: '3' })).toBe(3)
    for (const bad of ['0', '9', '1.5', 'two'])
      expect(() => wasmThreadsFromEnv({ CLAB_WASM_THREADS: bad })).toThrow(
        `CLAB_WASM_THREADS must be a whole number from 1 to 8, got "${bad}"`,
      )
  })

  it('reads the package from beside the asar archive in the packaged app', () => {
    expect(outsideAsar('/opt/Lab/resources/app.asar/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/x.js')).toBe(
      '/opt/Lab/resources/app.asar.unpacked/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/x.js',
    )
    expect(outsideAsar('/work/node_modules/x.js')).toBe('/work/node_modules/x.js')
  })
})
