/**
 * `clab teacher` and `clab distill` end to end: real processes, real files, the CLI contract of the issue.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { clab, lastJsonLine } from '../helpers/cli'

const dir = mkdtempSync(join(tmpdir(), 'clab-cli-'))
const teacherDir = join(dir, 'teacher')
const teacherPath = join(teacherDir, 'teacher.ckpt')
const tinyTeacher = ['--dataset', 'rings', '--steps', '60', '--width', '32', '--depth', '2', '--batch', '64']

beforeAll(async () => {
  const result = await clab(['teacher', ...tinyTeacher, '--out', teacherDir, '--backend', 'wasm', '--json'])
  expect(result.code, result.stderr).toBe(0)
})

describe('clab teacher', () => {
  it('writes a teacher checkpoint and a JSON summary with its K = 1, 10, 100 figures', () => {
    expect(existsSync(teacherPath)).toBe(true)
    const summary = JSON.parse(readFileSync(join(teacherDir, 'teacher.json'), 'utf8')) as { evaluations: Record<string, Record<string, { swd: number }>>; backend: string }
    expect(summary.backend).toBe('wasm')
    for (const nfe of ['nfe1', 'nfe10', 'nfe100']) expect(summary.evaluations.teacher?.[nfe]?.swd).toBeGreaterThan(0)
    expect(summary.evaluations.data?.nfe0?.swd).toBeGreaterThan(0)
  })
})

describe('clab distill', () => {
  it('--export writes config, metrics and 4000-row x,y CSVs from shared noise; --json ends stdout', async () => {
    const out = join(dir, 'export')
    const result = await clab(['distill', '--dataset', 'rings', '--teacher', teacherPath, '--steps', '30', '--batch', '64', '--backend', 'wasm', '--export', out, '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('backend: wasm')
    const summary = lastJsonLine(result.stdout)
    expect(summary.backend).toBe('wasm')
    expect(summary.steps).toBe(30)
    for (const name of ['data.csv', 'teacher-k100.csv', 'student-nfe1.csv', 'student-nfe2.csv']) {
      const lines = readFileSync(join(out, name), 'utf8').trim().split('\n')
      expect(lines[0]).toBe('x,y')
      expect(lines).toHaveLength(4001)
      expect(lines[1]?.split(',').map(Number).every(Number.isFinite)).toBe(true)
    }
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      backend: string
      evaluations: Record<string, Record<string, { swd: number; energy: number; mmd: number; msPerSample: number }>>
      agreement: { nfe1: number }
    }
    expect(metrics.backend).toBe('wasm')
    for (const [model, nfe] of [['data', 'nfe0'], ['teacher', 'nfe1'], ['teacher', 'nfe10'], ['teacher', 'nfe100'], ['student', 'nfe1'], ['student', 'nfe2']] as const) {
      const m = metrics.evaluations[model]?.[nfe]
      expect(m, `${model} ${nfe}`).toBeDefined()
      expect(m?.swd).toBeGreaterThan(0)
      expect(m?.energy).toBeGreaterThanOrEqual(0)
      expect(m?.mmd).toBeGreaterThanOrEqual(0)
    }
    expect(metrics.evaluations.teacher?.nfe100?.msPerSample).toBeGreaterThan(metrics.evaluations.student?.nfe1?.msPerSample as number)
    expect(metrics.agreement.nfe1).toBeGreaterThan(0)
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>
    expect(config).toMatchObject({ dataset: 'rings', steps: 30, batch: 64, algorithm: 'cd', backend: 'wasm' })
  })

  it('refuses a teacher trained on another dataset, naming the flag', async () => {
    const result = await clab(['distill', '--dataset', 'moons', '--teacher', teacherPath])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--teacher: teacher .* was trained on rings, not moons/)
  })

  it('resumes from a checkpoint with bit-for-bit the same losses as an uninterrupted run (cpu)', async () => {
    const common = ['distill', '--dataset', 'rings', '--teacher', teacherPath, '--batch', '32', '--eval-samples', '100', '--backend', 'cpu', '--json']
    const full = await clab([...common, '--steps', '12', '--checkpoint-every', '6', '--checkpoint-dir', join(dir, 'full')])
    expect(full.code, full.stderr).toBe(0)
    const half = await clab([...common, '--steps', '6', '--checkpoint-dir', join(dir, 'half')])
    expect(half.code, half.stderr).toBe(0)
    const resumed = await clab([...common, '--steps', '12', '--resume', join(dir, 'half', 'latest.ckpt'), '--checkpoint-dir', join(dir, 'half')])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toContain('resumed at step 6')
    const a = lastJsonLine(full.stdout)
    const b = lastJsonLine(resumed.stdout)
    expect(b.steps).toBe(12)
    expect(b.lastLoss).toBe(a.lastLoss)
    // Same weights, same evaluation noise: identical quality figures (timings naturally differ).
    const quality = (m: unknown) => JSON.stringify(m, (key, value: unknown) => (key === 'msPerSample' ? undefined : value))
    expect(quality(b.metrics)).toBe(quality(a.metrics))
  })

  it('refuses a corrupt checkpoint for --resume', async () => {
    const path = join(dir, 'corrupt.ckpt')
    const bytes = readFileSync(teacherPath)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff
    writeFileSync(path, bytes)
    const result = await clab(['distill', '--dataset', 'rings', '--resume', path])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--resume: checkpoint .*corrupt.ckpt: checksum mismatch/)
  })
})
