/**
 * #17 `clab teacher` / `clab distill`: the evaluation table and metrics.json carry precision, recall,
 * density, coverage and the off-support share for every model and NFE and the data floor (real processes,
 * real files).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SUPPORT_METRICS } from '@shared/cd/evaluation'
import { clab } from '../helpers/cli'
import { fileTempDir } from '../helpers/temp'

const dir = fileTempDir('support')
const HEADER = /precision\s+recall\s+density\s+coverage\s+off-support/

describe('#17 clab support metrics', () => {
  it('#17 prints them in the table and writes them to metrics.json (evaluations.student.nfe1.precision, ...)', async () => {
    const teacherDir = join(dir, 'teacher')
    const tinyTeacher = ['--dataset', 'moons', '--steps', '40', '--width', '32', '--depth', '2', '--batch', '64']
    const teacher = await clab(['teacher', ...tinyTeacher, '--out', teacherDir, '--backend', 'wasm'])
    expect(teacher.code, teacher.stderr).toBe(0)
    expect(teacher.stdout).toMatch(HEADER)

    const out = join(dir, 'export')
    const distill = ['distill', '--dataset', 'moons', '--teacher', join(teacherDir, 'teacher.ckpt')]
    const options = ['--steps', '20', '--batch', '64', '--eval-samples', '500', '--backend', 'wasm', '--export', out]
    const result = await clab([...distill, ...options])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(HEADER)
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      evaluations: Record<string, Record<string, Record<string, number>>>
    }
    for (const [model, nfe] of [
      ['data', 'nfe0'],
      ['teacher', 'nfe1'],
      ['teacher', 'nfe10'],
      ['teacher', 'nfe100'],
      ['student', 'nfe1'],
      ['student', 'nfe2'],
    ] as const) {
      for (const metric of SUPPORT_METRICS)
        expect(metrics.evaluations[model]?.[nfe]?.[metric], `${model} ${nfe} ${metric}`).toBeGreaterThanOrEqual(0)
    }
    const floor = metrics.evaluations.data?.nfe0 as Record<string, number>
    expect(floor.precision).toBeGreaterThan(0.9)
    expect(floor.recall).toBeGreaterThan(0.9)
    // The table's one-step student row shows the figure metrics.json holds.
    const studentLine = result.stdout.split('\n').find((l) => /^\s*student\s+1\s/.test(l)) as string
    expect(studentLine).toContain((metrics.evaluations.student?.nfe1?.precision as number).toFixed(3))
  })
})
