/**
 * #17 `clab teachers list` shows each teacher's quality against held-out data, `clab teachers measure`
 * measures one, and `clab distill` from a teacher below 0.9 precision warns in its header (real processes).
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { clab, lastJsonLine } from '../helpers/cli'
import { fileTempDir } from '../helpers/temp'

const dir = fileTempDir('teacher-quality')
const dataDir = join(dir, 'data')
let teacherId = ''

beforeAll(async () => {
  const teacherDir = join(dir, 'teacher')
  const tiny = ['--dataset', 'moons', '--steps', '30', '--width', '16', '--depth', '1', '--batch', '32']
  const trained = await clab(['teacher', ...tiny, '--out', teacherDir, '--backend', 'wasm', '--data-dir', dataDir])
  expect(trained.code, trained.stderr).toBe(0)
  // Imported into a second history: measured at import.
  const imported = await clab([
    'teachers',
    'import',
    join(teacherDir, 'teacher.ckpt'),
    '--data-dir',
    join(dir, 'other'),
    '--json',
  ])
  expect(imported.code, imported.stderr).toBe(0)
  teacherId = (lastJsonLine(imported.stdout).teacher as { id: string }).id
}, 300_000)

describe('#17 teacher quality in the CLI', () => {
  it('#17 teachers list shows K = 100 precision, recall and SWD, flags a low-precision teacher; --quality adds K = 1 and 10 whole', async () => {
    const list = await clab(['teachers', 'list', '--data-dir', join(dir, 'other')])
    expect(list.code, list.stderr).toBe(0)
    const line = list.stdout.split('\n').find((l) => l.startsWith(teacherId)) as string
    expect(line).toMatch(
      /K=100 prec 0\.\d\d rec \d\.\d\d SWD \d+\.\d{4} \(prec K=1 \d\.\d\d, K=10 \d\.\d\d; data 0\.9\d\)/,
    )
    expect(line).toContain('LOW PRECISION')
    // --quality: every measured teacher's whole table under the list, K = 1 and 10 with recall and SWD too.
    const full = await clab(['teachers', 'list', '--quality', '--data-dir', join(dir, 'other')])
    expect(full.code, full.stderr).toBe(0)
    const table = full.stdout.slice(full.stdout.indexOf(`\n${teacherId} (`))
    expect(table).toMatch(/samples +precision +recall +off-support +sliced W/)
    for (const steps of [1, 10, 100])
      expect(table).toMatch(new RegExp(`ddim K=${steps} +\\d\\.\\d{3} +\\d\\.\\d{3} +[\\d.]+ % +\\d+\\.\\d{4}`))
    const json = await clab(['teachers', 'list', '--data-dir', join(dir, 'other'), '--json'])
    const teachers = lastJsonLine(json.stdout).teachers as Array<{ id: string; quality: { rows: { steps: number }[] } }>
    expect(teachers.find((t) => t.id === teacherId)?.quality.rows.map((r) => r.steps)).toEqual([1, 10, 100])
  })

  it('#17 teachers measure prints the table; distill from a low-precision teacher warns in its header, from one given by path at the end', async () => {
    const measured = await clab(['teachers', 'measure', teacherId, '--data-dir', join(dir, 'other')])
    expect(measured.code, measured.stderr).toBe(0)
    expect(measured.stdout).toMatch(/data floor\s+0\.9\d\d/)
    expect(measured.stdout).toMatch(/ddim K=100\s+0\.\d{3}/)
    const distill = await clab(
      ['distill', '--dataset', 'moons', '--teacher', teacherId, '--steps', '5', '--batch', '32'].concat([
        '--eval-samples',
        '100',
        '--backend',
        'wasm',
        '--data-dir',
        join(dir, 'other'),
      ]),
    )
    expect(distill.code, distill.stderr).toBe(0)
    expect(distill.stderr).toMatch(
      /warning: the teacher's 100-step precision is 0\.\d\d \(below 0\.9; held-out data 0\.9\d\): the student can at best copy the teacher's errors/,
    )
    // Given by path, the teacher has no stored figures: no header warning, but the final report warns from the
    // run's own evaluation of it.
    const byPath = await clab(
      ['distill', '--dataset', 'moons', '--teacher', join(dir, 'teacher', 'teacher.ckpt'), '--steps', '5'].concat([
        '--batch',
        '32',
        '--eval-samples',
        '100',
        '--backend',
        'wasm',
        '--data-dir',
        join(dir, 'third'),
      ]),
    )
    expect(byPath.code, byPath.stderr).toBe(0)
    // After the engine started (its `backend:` line), not in the header.
    expect(byPath.stderr.indexOf('backend:')).toBeGreaterThan(0)
    expect(byPath.stderr.indexOf('warning: the teacher')).toBeGreaterThan(byPath.stderr.indexOf('backend:'))
    expect(byPath.stderr).toMatch(
      /warning: the teacher's 100-step precision is 0\.\d\d \(below 0\.9; held-out data (0\.9\d|1\.00)\), measured by this run's evaluation: the student can at best copy the teacher's errors/,
    )
    const unknown = await clab(['teachers', 'measure', 'nope', '--data-dir', join(dir, 'other')])
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/nope/)
  })
})
