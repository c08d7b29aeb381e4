/**
 * #17 in the renderer: the runs table's Prec@1 column, the compare metrics table's precision, recall,
 * density, coverage, off-support, teacher and floor columns, and the quality-vs-NFE curves for a support metric.
 */
import { describe, expect, it } from 'vitest'
import {
  METRIC_COLUMNS,
  bestByColumn,
  metricRows,
  sortRows,
  visibleColumns,
} from '../../../src-renderer/lib/compare-metric-table'
import { buildNfeConfig, QUALITY_METRICS } from '../../../src-renderer/lib/charts/nfe-curves'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import { COLUMNS, cellValue, TABLE_METRIC_KEYS } from '../../../src-renderer/lib/runs-table-columns'
import { formatCell, sortRows as sortRunRows } from '../../../src-renderer/lib/runs-table'
import { evalRecord, finalEval } from './fixtures'
import { makeRow, metric } from '../runs/fixtures'

/** A final evaluation with support metrics: student precision by NFE, teacher K = 100 and floor precision. */
function withSupport(runId: string, studentPrecision: number[], teacher = 0.65, floor = 0.997) {
  const records = finalEval(runId, 3000, [0.3, 0.2, 0.15])
  const nfes = [1, 2, 4]
  records.push(evalRecord(runId, 3000, 'data', 'precision', 0, floor))
  ;[2, 20, 200].forEach((nfe, i) =>
    records.push(evalRecord(runId, 3000, 'teacher', 'precision', nfe, [0.1, 0.5, teacher][i]!)),
  )
  studentPrecision.forEach((p, i) => {
    records.push(evalRecord(runId, 3000, 'student', 'precision', nfes[i]!, p))
    records.push(evalRecord(runId, 3000, 'student', 'recall', nfes[i]!, 0.99))
    records.push(evalRecord(runId, 3000, 'student', 'density', nfes[i]!, p + 0.3))
    records.push(evalRecord(runId, 3000, 'student', 'coverage', nfes[i]!, 0.9))
    records.push(evalRecord(runId, 3000, 'student', 'offSupport', nfes[i]!, 1 - p))
  })
  return records
}

const col = (key: string) => METRIC_COLUMNS.findIndex((c) => c.key === key)

describe('#17 compare metrics table', () => {
  it('#17 shows precision columns with the best as the highest, off-support best as the lowest', () => {
    const rows = metricRows(['a', 'b'], {
      a: withSupport('a', [0.59, 0.62, 0.7]),
      b: withSupport('b', [0.85, 0.9, 0.92]),
    })
    const shown = visibleColumns(rows).map((c) => METRIC_COLUMNS[c]?.key)
    expect(shown).toEqual(
      expect.arrayContaining([
        'prec1',
        'prec2',
        'recall1',
        'density1',
        'coverage1',
        'offSupport1',
        'teacherPrec',
        'floorPrec',
      ]),
    )
    expect(rows[0]?.values[col('prec1')]).toBe(0.59)
    expect(rows[1]?.values[col('prec2')]).toBe(0.9)
    expect(rows[0]?.values[col('teacherPrec')]).toBe(0.65)
    expect(rows[0]?.values[col('floorPrec')]).toBe(0.997)
    const best = bestByColumn(rows)
    expect([...(best[col('prec1')] ?? [])]).toEqual(['b'])
    expect([...(best[col('offSupport1')] ?? [])]).toEqual(['b'])
    // SWD stays lower-is-better: equal here, so both are best.
    expect([...(best[col('swd1')] ?? [])].sort()).toEqual(['a', 'b'])
    // References are not ranked, nor is density (about 1 is data-like; neither direction is better).
    expect(best[col('teacherPrec')]?.size).toBe(0)
    expect(rows[1]?.values[col('density1')]).toBeCloseTo(1.15)
    expect(best[col('density1')]?.size).toBe(0)
    expect(sortRows(rows, col('prec1'), 'desc').map((r) => r.runId)).toEqual(['b', 'a'])
  })

  it('#17 hides the support columns when no compared run has them (runs evaluated before #17)', () => {
    const rows = metricRows(['old'], { old: finalEval('old', 3000, [0.3, 0.2, 0.15]) })
    const shown = visibleColumns(rows).map((c) => METRIC_COLUMNS[c]?.key)
    expect(shown).toContain('swd1')
    expect(shown).not.toContain('prec1')
    expect(shown).not.toContain('floorPrec')
  })
})

describe('#17 quality-vs-NFE curves', () => {
  it('#17 offers precision and draws the students, the teacher and the floor with a higher-is-better axis', () => {
    expect(QUALITY_METRICS).toEqual(
      expect.arrayContaining(['precision', 'recall', 'density', 'coverage', 'offSupport']),
    )
    const cfg = buildNfeConfig([{ runId: 'a', color: '#f00', evaluations: withSupport('a', [0.59, 0.62, 0.7]) }], {
      metric: 'precision',
      logY: false,
      theme: LIGHT_THEME,
    })
    const ds = cfg.data.datasets
    expect(ds.map((d) => d.label)).toEqual(['a', 'teacher', 'data floor'])
    expect(ds[0]?.data).toEqual([
      { x: 1, y: 0.59 },
      { x: 2, y: 0.62 },
      { x: 4, y: 0.7 },
    ])
    expect(ds[1]?.data.map((p) => p.y)).toEqual([0.1, 0.5, 0.65])
    expect(ds[2]?.data.map((p) => p.y)).toEqual([0.997, 0.997])
    const y = (cfg.options?.scales as Record<string, { title: { text: string } }>).y
    expect(y?.title.text).toMatch(/precision.*higher is better/)
    const swd = buildNfeConfig([{ runId: 'a', color: '#f00', evaluations: withSupport('a', [0.5]) }], {
      metric: 'swd',
      logY: false,
      theme: LIGHT_THEME,
    })
    expect((swd.options?.scales as Record<string, { title: { text: string } }>).y?.title.text).toMatch(
      /lower is better/,
    )
  })
})

describe('#17 runs table Prec@1', () => {
  it('#17 reads the final precision, else the live preview, formats it and sorts highest first on the first click', () => {
    expect(COLUMNS.find((c) => c.key === 'prec1')).toMatchObject({ label: 'Prec@1', numeric: true, firstDir: 'desc' })
    expect(TABLE_METRIC_KEYS).toEqual(expect.arrayContaining(['eval/prec_nfe1', 'prec/nfe1']))
    const done = makeRow('done', {
      lastMetrics: { 'prec/nfe1': metric(0.5, 2900), 'eval/prec_nfe1': metric(0.8734, 3000) },
    })
    const live = makeRow('live', { lastMetrics: { 'prec/nfe1': metric(0.61, 500) } })
    const old = makeRow('old', { lastMetrics: { 'eval/swd_nfe1': metric(0.1, 3000) } })
    expect(cellValue(done, 'prec1', 0)).toBe(0.8734)
    expect(cellValue(live, 'prec1', 0)).toBe(0.61)
    expect(cellValue(old, 'prec1', 0)).toBeNull()
    expect(formatCell(done, 'prec1', 0)).toBe('0.873')
    expect(formatCell(old, 'prec1', 0)).toBe('—')
    expect(sortRunRows([old, live, done], { key: 'prec1', dir: 'desc' }, 0).map((r) => r.id)).toEqual([
      'done',
      'live',
      'old',
    ])
  })
})
