/**
 * wasm-threads.ts: tfjs-backend-wasm's threaded build started in Node. Each case is its own process, since
 * a process selects its backend once.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error: the GPU check's build scripts are plain ESM, untyped
import { bundleEngineScript } from '../../scripts/gpu-check/bundle.mjs'
import { wasmThreadsFromEnv } from '../../src-main/engine/wasm-threads'

const root = fileURLToPath(new URL('../..', import.meta.url))

interface Probe {
  label: string
  wasmThreads: number
  skipped: string[]
  loss: number
  digest: string
}

/** The probe under tsx from the checkout, or a bundle of it given as `script` (run where it lies). */
function probe(threads: number, script?: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const args = script ? [script] : ['--import', 'tsx', 'test/fixtures/wasm-threads-probe.ts']
    const child = spawn(process.execPath, [...args, String(threads)], { cwd: script ? join(script, '..') : root })
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

  describe('bundled, as the GPU check runs the bench (scripts/gpu-check/bundle.mjs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clab-wasm-bundle-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('finds the threaded build beside the bundle, and without it falls back to one thread saying why', async () => {
      const bundle = async (name: string, threaded: boolean) => {
        const outfile = join(dir, name, 'probe.mjs')
        await bundleEngineScript({ entry: join(root, 'test/fixtures/wasm-threads-probe.ts'), outfile, threaded })
        return outfile
      }
      const [withThreads, without] = [await bundle('threaded', true), await bundle('single', false)]
      const [two, fallback] = await Promise.all([probe(2, withThreads), probe(2, without)])
      expect(two).toMatchObject({ label: 'wasm (2 threads)', wasmThreads: 2, skipped: [] })
      // One line naming what was missing: nothing from the checkout's node_modules is reachable from the temp folder.
      expect(fallback).toMatchObject({ label: 'wasm', wasmThreads: 1 })
      expect(fallback.skipped).toEqual([
        expect.stringMatching(/^threaded wasm failed, one thread \([^\n]*tfjs-backend-wasm[^\n]*\)$/),
      ])
      expect(fallback.digest).toBe(two.digest)
    })
  })

  it('reads CLAB_WASM_THREADS as a whole number from 1 to 8 and names a bad value', () => {
    expect(wasmThreadsFromEnv({})).toBeNull()
    expect(wasmThreadsFromEnv({ CLAB_WASM_THREADS: '3' })).toBe(3)
    for (const bad of ['0', '9', '1.5', 'two'])
      expect(() => wasmThreadsFromEnv({ CLAB_WASM_THREADS: bad })).toThrow(
        `CLAB_WASM_THREADS must be a whole number from 1 to 8, got "${bad}"`,
      )
  })
})
