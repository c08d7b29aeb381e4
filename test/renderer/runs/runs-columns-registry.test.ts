/**
 * The runs table's config columns and the compare diff's row labels are read from the field registry: a
 * field's `column` entry makes the column (label, tooltip, width, format), and the cell shows the value the
 * run trains with, the asked one beside it where they differ.
 */
import { describe, expect, it } from 'vitest'
import { DISTILL_FIELDS } from '@shared/config/distill-fields'
import { TEACHER_FIELDS } from '@shared/config/teacher-fields'
import { COLUMNS, RANGE_COLUMNS, cellValue, configColumnsOf, formatCell } from '../../../src-renderer/lib/runs-table'
import { configFieldLabel, diffEffectiveConfigs } from '../../../src-renderer/lib/effective-diff'
import { makeRow } from './fixtures'

describe('#16 the runs table and the diff read the registry', () => {
  it('#16 every registry field with a column is a table column, in registry order, with its label and width', () => {
    const withColumn = DISTILL_FIELDS.filter((f) => f.column)
    const configKeys = COLUMNS.map((c) => c.key).filter((k) => DISTILL_FIELDS.some((f) => f.key === k))
    expect(configKeys).toEqual(withColumn.map((f) => f.key))
    for (const f of withColumn) {
      const column = COLUMNS.find((c) => c.key === f.key)
      expect(column?.label).toBe(f.column?.label ?? f.symbol ?? f.label)
      expect(column?.width).toBe(f.column?.width)
      expect(column?.numeric).toBe(f.kind === 'int' || f.kind === 'number' || f.kind === 'optional-number')
    }
    // The run's own columns come first, the metrics after the config's.
    expect(COLUMNS.slice(0, 4).map((c) => c.key)).toEqual(['name', 'id', 'status', 'kind'])
    expect(COLUMNS.at(-1)?.key).toBe('tags')
  })

  it('#16 a field given a column in a registry becomes a column whose cell reads the effective value', () => {
    const columns = configColumnsOf([
      {
        key: 'weighting',
        label: 'Loss weighting',
        what: 'weighting',
        help: '',
        kind: 'select',
        column: { title: 'lambda', width: '6rem' },
      },
      {
        key: 'huberC',
        label: 'Huber c',
        symbol: 'c',
        what: 'Huber c',
        help: '',
        kind: 'optional-number',
        column: { title: 'c', width: '4rem' },
      },
      { key: 'seed', label: 'Seed', what: 'seed', help: '', kind: 'int' },
    ])
    expect(columns.map((c) => [c.key, c.label, c.numeric, c.format])).toEqual([
      ['weighting', 'Loss weighting', false, 'plain'],
      ['huberC', 'c', true, 'plain'],
    ])
    const ict = makeRow('i', {}, { algorithm: 'ict', targetEma: 0.95, weighting: 'uniform' })
    expect(cellValue(ict, 'weighting', 0)).toBe('inverse-gap')
  })

  it('#16 every numeric config column has a range filter, then the sample quality', () => {
    const numeric = DISTILL_FIELDS.filter(
      (f) => f.column && (f.kind === 'int' || f.kind === 'number' || f.kind === 'optional-number'),
    ).map((f) => f.key)
    expect(RANGE_COLUMNS).toEqual([...numeric, 'quality1', 'quality2'])
    expect(numeric).toContain('targetEma')
  })

  it('#16 the lr column formats the effective learning rate; steps shows progress while running', () => {
    const row = makeRow(
      'r',
      { status: 'running', lastMetrics: { loss: { value: 1, step: 40 } } },
      { lr: 0.0005, steps: 100 },
    )
    expect(formatCell(row, 'lr', 0)).toBe('5e-4')
    expect(formatCell(row, 'steps', 0)).toBe('40 / 100')
    expect(formatCell({ ...row, status: 'finished' }, 'steps', 0)).toBe('100')
  })

  it('#16 diff rows carry the registry label of their field (the teacher registry for teacher runs)', () => {
    const a = makeRow('a', {}, { algorithm: 'cd', numScales: 18 })
    const b = makeRow('b', {}, { algorithm: 'cd', numScales: 40 })
    const n = diffEffectiveConfigs([a, b]).find((r) => r.field === 'numScales')
    expect(n?.label).toBe(DISTILL_FIELDS.find((f) => f.key === 'numScales')?.label)
    const teacher = (id: string, numSteps: number) => makeRow(id, { kind: 'teacher' }, { numSteps })
    const steps = diffEffectiveConfigs([teacher('t', 100), teacher('u', 200)]).find((r) => r.field === 'numSteps')
    expect(steps?.label).toBe(TEACHER_FIELDS.find((f) => f.key === 'numSteps')?.label)
    expect(configFieldLabel('fieldFromAnotherVersion')).toBe('fieldFromAnotherVersion')
  })
})
