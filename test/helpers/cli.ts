import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fileTempDir } from './temp'

/** Every test file gets its own run history unless it passes CLAB_DATA_DIR itself. */
export const TEST_DATA_DIR = fileTempDir('history')

export const CLAB = fileURLToPath(new URL('../../bin/clab.mjs', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real `clab` entry point (bin/clab.mjs) in a child process. */
export function clab(
  args: string[],
  options: {
    cwd?: string
    env?: Record<string, string>
    onSpawn?: (child: ChildProcess) => void
    onStderr?: (text: string, child: ChildProcess) => void
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAB, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CLAB_DATA_DIR: TEST_DATA_DIR, ...options.env },
    })
    options.onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      options.onStderr?.(stderr, child)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

export function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>
}
