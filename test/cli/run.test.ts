/**
 * `clab teacher` and `clab distill` end to end: real processes, real files, the CLI contract of the issue.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { beforeAll, describe, expect, it } from 'vitest'
import { clab, lastJsonLine, TEST_DATA_DIR } from '../helpers/cli'
import { fileTempDir } from '../helpers/temp'

const dir = fileTempDir('cli')
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
    const summary = JSON.parse(readFileSync(join(teacherDir, 'teacher.json'), 'utf8')) as {
      evaluations: Record<string, Record<string, { swd: number }>>
      backend: string
    }
    expect(summary.backend).toBe('wasm')
    for (const nfe of ['nfe1', 'nfe10', 'nfe100']) expect(summary.evaluations.teacher?.[nfe]?.swd).toBeGreaterThan(0)
    expect(summary.evaluations.data?.nfe0?.swd).toBeGreaterThan(0)
  })
})

describe('clab distill', () => {
  it('--export writes config, metrics and 4000-row x,y CSVs from shared noise; --json ends stdout', async () => {
    const out = join(dir, 'export')
    const result = await clab([
      'distill',
      '--dataset',
      'rings',
      '--teacher',
      teacherPath,
      '--steps',
      '30',
      '--batch',
      '64',
      '--backend',
      'wasm',
      '--export',
      out,
      '--json',
    ])
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
      config: Record<string, unknown>
      effectiveConfig: Record<string, unknown>
    }
    expect(metrics.backend).toBe('wasm')
    // #16: metrics.json says what was asked and what trained (alike for cd).
    expect(metrics.config).toMatchObject({ algorithm: 'cd', steps: 30 })
    expect(metrics.effectiveConfig).toEqual(metrics.config)
    for (const [model, nfe] of [
      ['data', 'nfe0'],
      ['teacher', 'nfe1'],
      ['teacher', 'nfe10'],
      ['teacher', 'nfe100'],
      ['student', 'nfe1'],
      ['student', 'nfe2'],
    ] as const) {
      const m = metrics.evaluations[model]?.[nfe]
      expect(m, `${model} ${nfe}`).toBeDefined()
      expect(m?.swd).toBeGreaterThan(0)
      expect(m?.energy).toBeGreaterThanOrEqual(0)
      expect(m?.mmd).toBeGreaterThanOrEqual(0)
    }
    expect(metrics.evaluations.teacher?.nfe100?.msPerSample).toBeGreaterThan(
      metrics.evaluations.student?.nfe1?.msPerSample as number,
    )
    expect(metrics.agreement.nfe1).toBeGreaterThan(0)
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>
    expect(config).toMatchObject({
      dataset: 'rings',
      steps: 30,
      batch: 64,
      algorithm: 'cd',
      backend: 'wasm',
      sigmaMax: DISTILL_DEFAULTS.sigmaMax,
    })
    expect(result.stderr).toContain(`sigma-max=${DISTILL_DEFAULTS.sigmaMax}`)
  })

  it('refuses a teacher trained on another dataset, naming the flag', async () => {
    const result = await clab(['distill', '--dataset', 'moons', '--teacher', teacherPath])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--teacher: teacher .* was trained on rings, not moons/)
  })

  it('Ctrl-C stops with a checkpoint; `clab runs resume` continues bit-for-bit the same losses (cpu)', async () => {
    const common = [
      'distill',
      '--dataset',
      'rings',
      '--teacher',
      teacherPath,
      '--batch',
      '32',
      '--eval-samples',
      '100',
      '--backend',
      'cpu',
      '--steps',
      '400',
      '--checkpoint-every',
      '50',
      '--sample-every',
      '0',
      '--json',
    ]
    const full = await clab(common)
    expect(full.code, full.stderr).toBe(0)
    let sent = false
    const stopped = await clab(common, {
      onStderr: (text, child) => {
        if (!sent && /distill: \d+\/400/.test(text)) {
          sent = true
          child.kill('SIGINT')
        }
      },
    })
    expect(stopped.code).toBe(1)
    const id = /continue it with: clab runs resume (\S+)/.exec(stopped.stderr)?.[1] as string
    expect(id, stopped.stderr).toBeTruthy()
    const resumed = await clab(['runs', 'resume', id, '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    const a = lastJsonLine(full.stdout)
    const b = lastJsonLine(resumed.stdout)
    expect(b.steps).toBe(400)
    const lossesOf = async (runId: string) => {
      const out = join(dir, `export-${runId}`)
      const exported = await clab(['runs', 'export', runId, '--out', out])
      expect(exported.code, exported.stderr).toBe(0)
      return readFileSync(join(out, 'metrics.csv'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('loss,'))
        .map((l) => l.split(',')[2])
    }
    const lossesA = await lossesOf(a.runId as string)
    expect(lossesA).toHaveLength(400)
    expect(await lossesOf(id)).toEqual(lossesA)
    // Same weights, same evaluation noise: identical quality figures (timings naturally differ).
    const quality = (m: unknown) =>
      JSON.stringify(m, (key, value: unknown) => (key === 'msPerSample' ? undefined : value))
    expect(quality(b.metrics)).toBe(quality(a.metrics))
  })

  it('refuses a corrupt teacher checkpoint, naming the flag', async () => {
    const path = join(dir, 'corrupt.ckpt')
    const bytes = readFileSync(teacherPath)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff
    writeFileSync(path, bytes)
    const result = await clab(['distill', '--dataset', 'rings', '--teacher', path])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--teacher: checkpoint .*corrupt.ckpt: checksum mismatch/)
  })
})

describe('clab runs and clab sweep', () => {
  it('list, show, tag, export and rm work on the recorded history', async () => {
    // `--sigma-max last`: ALGORITHM.md's grid, up to the teacher's last step.
    const run = await clab([
      'distill',
      '--dataset',
      'rings',
      '--teacher',
      teacherPath,
      '--batch',
      '32',
      '--steps',
      '20',
      '--eval-samples',
      '100',
      '--backend',
      'cpu',
      '--sample-every',
      '0',
      '--sigma-max',
      'last',
      '--tag',
      'first',
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('sigma-max=last')
    const id = lastJsonLine(run.stdout).runId as string
    const list = await clab(['runs', 'list', '--tag', 'first', '--json'])
    expect(list.code).toBe(0)
    const listed = lastJsonLine(list.stdout).runs as Array<{
      id: string
      status: string
      lastMetrics: Record<string, { step: number }>
    }>
    expect(listed.map((r) => r.id)).toContain(id)
    expect(listed.find((r) => r.id === id)).toMatchObject({ status: 'finished', lastMetrics: { loss: { step: 20 } } })
    const text = await clab(['runs', 'list'])
    expect(text.stdout).toContain(id)
    const tagged = await clab(['runs', 'tag', id, 'keep', '--note', 'looks good', '--json'])
    expect(lastJsonLine(tagged.stdout).tags).toEqual(['first', 'keep'])
    const shown = await clab(['runs', 'show', id, '--json'])
    const show = lastJsonLine(shown.stdout) as {
      run: { notes: string; config: { steps: number; sigmaMax: number | null } }
      evaluation: { rows: unknown[] }
    }
    expect(show.run.notes).toBe('looks good')
    expect(show.run.config.steps).toBe(20)
    expect(show.run.config.sigmaMax).toBeNull()
    expect(show.evaluation.rows.length).toBeGreaterThanOrEqual(6)
    const out = join(dir, 'exported-run')
    const exported = await clab(['runs', 'export', id, '--out', out])
    expect(exported.code, exported.stderr).toBe(0)
    for (const name of [
      'run.json',
      'metrics.csv',
      'evaluations.json',
      'samples/student-nfe1.csv',
      'samples/student-nfe1.png',
      'samples/teacher-k100.png',
      'checkpoints/final.ckpt',
    ])
      expect(existsSync(join(out, name)), name).toBe(true)
    expect(readFileSync(join(out, 'samples/student-nfe1.png')).subarray(1, 4).toString('ascii')).toBe('PNG')
    const removed = await clab(['runs', 'rm', id])
    expect(removed.code).toBe(0)
    const missing = await clab(['runs', 'show', id])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(id)
    // The exported folder brings the run back, with every point and its evaluation.
    const imported = await clab(['runs', 'import', out, '--json'])
    expect(imported.code, imported.stderr).toBe(0)
    expect(lastJsonLine(imported.stdout).imported).toEqual([id])
    const back = lastJsonLine((await clab(['runs', 'show', id, '--json'])).stdout) as typeof show & {
      series: Array<{ key: string; count: number }>
    }
    expect(back.run.notes).toBe('looks good')
    expect(back.evaluation).toEqual(show.evaluation)
    expect(back.series.find((s) => s.key === 'loss')?.count).toBe(20)
    // Into another data folder as a whole.
    const other = join(dir, 'other-history')
    const copied = await clab(['runs', 'import', '--from-data-dir', TEST_DATA_DIR, '--data-dir', other, '--json'])
    expect(copied.code, copied.stderr).toBe(0)
    expect(lastJsonLine(copied.stdout).imported).toContain(id)
    // A malformed folder is refused, naming the file.
    writeFileSync(join(out, 'metrics.csv'), 'step;value\n1;2\n')
    const bad = await clab(['runs', 'import', out])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/run folder .*exported-run: metrics.csv: header must be "key,step,value,wall_ms"/)
  })

  it('sweep queues one run per grid point and reports each', async () => {
    const result = await clab([
      'sweep',
      '--dataset',
      'rings',
      '--teacher',
      teacherPath,
      '--batch',
      '16',
      '--steps',
      '10',
      '--eval-samples',
      '64',
      '--backend',
      'cpu',
      '--sample-every',
      '0',
      '--N',
      '6,8',
      '--ema',
      '0.9,0.95',
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const summary = lastJsonLine(result.stdout) as {
      runs: Array<{ status: string; point: { numScales: number; targetEma: number } }>
    }
    expect(summary.runs).toHaveLength(4)
    expect(summary.runs.every((r) => r.status === 'finished')).toBe(true)
    expect(summary.runs.map((r) => `${r.point.numScales}/${r.point.targetEma}`).sort()).toEqual([
      '6/0.9',
      '6/0.95',
      '8/0.9',
      '8/0.95',
    ])
    const bad = await clab(['sweep', '--dataset', 'rings', '--N', '6,1'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--N: N must be at least 2 \(got 1\)/)
  })
})
