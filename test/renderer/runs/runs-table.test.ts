import { describe, expect, it } from 'vitest'
import {
  EMPTY_FILTERS,
  ariaSort,
  cellValue,
  distinctConfigValues,
  filterRows,
  filtersActive,
  formatCell,
  formatDuration,
  formatLr,
  formatMetric,
  nextSort,
  parseBound,
  qualityOf,
  rowWindow,
  sortRows,
  type RunFilters,
  type RunRow,
} from '../../../src-renderer/lib/runs-table'
import { makeRow, metric } from './fixtures'

const ids = (rows: RunRow[]) => rows.map((r) => r.id)
const filters = (patch: Partial<RunFilters>): RunFilters => ({ ...EMPTY_FILTERS, ...patch })

/** A deterministic pseudo-random generator, so the 10k-row tests are reproducible. */
function lcg(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const DATASETS = ['moons', '8gaussians', 'checkerboard', 'swissroll', 'rings']
const ALGOS = ['cd', 'tutorial', 'ct', 'ict']
const STATUSES = ['finished', 'running', 'failed', 'queued', 'cancelled'] as const

function manyRows(n: number): RunRow[] {
  const rand = lcg(42)
  return Array.from({ length: n }, (_, i) => {
    const hasMetric = rand() > 0.1
    const q = rand() < 0.02 ? Number.NaN : rand()
    return makeRow(
      `r${String(i).padStart(5, '0')}`,
      {
        createdAt: 1_000_000 + i,
        status: STATUSES[i % STATUSES.length] as RunRow['status'],
        tags: i % 7 === 0 ? ['sweep-a'] : [],
        notes: i % 11 === 0 ? 'Baseline with Heun' : '',
        lastMetrics: hasMetric ? { 'eval/swd_nfe1': metric(q), loss: metric(rand()) } : {},
      },
      {
        dataset: DATASETS[i % DATASETS.length],
        algorithm: ALGOS[Math.floor(rand() * ALGOS.length)],
        numScales: 2 + Math.floor(rand() * 200),
        ...(i % 13 === 0 ? { numScales: undefined } : {}),
      },
    )
  })
}

describe('cell values', () => {
  it('reads config fields, metrics and timings, null when missing', () => {
    const row = makeRow('a', { lastMetrics: { loss: metric(0.5) } }, { numScales: 40, targetEma: 0.95 })
    expect(cellValue(row, 'numScales', 0)).toBe(40)
    expect(cellValue(row, 'targetEma', 0)).toBe(0.95)
    expect(cellValue(row, 'dataset', 0)).toBe('moons')
    expect(cellValue(row, 'lastLoss', 0)).toBe(0.5)
    expect(cellValue(row, 'quality1', 0)).toBeNull()
    expect(cellValue(row, 'duration', 0)).toBe(60_000)
    const teacher = makeRow('t', { kind: 'teacher', config: { dataset: 'rings', numSteps: 1000, steps: 500 } })
    expect(cellValue(teacher, 'numScales', 0)).toBeNull()
    expect(cellValue(teacher, 'algorithm', 0)).toBeNull()
    expect(cellValue(makeRow('noconfig', { config: undefined }), 'dataset', 0)).toBeNull()
  })

  it('prefers the final evaluation and falls back to the live preview', () => {
    const live = makeRow('a', { lastMetrics: { 'swd/nfe1': metric(0.3, 500), 'swd/nfe2': metric(0.2, 500) } })
    expect(qualityOf(live, 1)).toEqual({ value: 0.3, step: 500, final: false })
    const done = makeRow('b', { lastMetrics: { 'swd/nfe1': metric(0.3, 500), 'eval/swd_nfe1': metric(0.1, 3000) } })
    expect(qualityOf(done, 1)).toEqual({ value: 0.1, step: 3000, final: true })
    expect(cellValue(done, 'quality2', 0)).toBeNull()
  })

  it('reads the final Fréchet distance (image runs) and the teacher-student agreement, formatted like the other metrics', () => {
    const image = makeRow('img', {
      lastMetrics: { 'eval/fd_nfe1': metric(12.3456, 3000), 'eval/agreement_nfe1': metric(0.25, 3000) },
    })
    expect(cellValue(image, 'fd1', 0)).toBe(12.3456)
    expect(cellValue(image, 'agreement', 0)).toBe(0.25)
    expect(formatCell(image, 'fd1', 0)).toMatch(/^12\.3/)
    expect(cellValue(makeRow('twoD'), 'fd1', 0)).toBeNull()
    expect(formatCell(makeRow('twoD'), 'fd1', 0)).toBe('—')
  })

  it('counts a running run up to now and shows no duration before it started', () => {
    const running = makeRow('r', { status: 'running', startedAt: 10_000, finishedAt: null })
    expect(cellValue(running, 'duration', 70_000)).toBe(60_000)
    expect(
      cellValue(makeRow('q', { status: 'queued', startedAt: null, finishedAt: null }), 'duration', 70_000),
    ).toBeNull()
  })
})

describe('sorting', () => {
  const rows = [
    makeRow('a', { createdAt: 3 }, { numScales: 40 }),
    makeRow('b', { createdAt: 2 }, { numScales: undefined }),
    makeRow('c', { createdAt: 1 }, { numScales: 10 }),
    makeRow('d', { createdAt: 4 }, { numScales: 18 }),
  ]

  it('sorts numbers both ways with missing values last in both directions', () => {
    expect(ids(sortRows(rows, { key: 'numScales', dir: 'asc' }, 0))).toEqual(['c', 'd', 'a', 'b'])
    expect(ids(sortRows(rows, { key: 'numScales', dir: 'desc' }, 0))).toEqual(['a', 'd', 'c', 'b'])
  })

  it('puts NaN metrics last, like missing ones', () => {
    const q = [
      makeRow('nan', { lastMetrics: { 'eval/swd_nfe1': metric(Number.NaN) } }),
      makeRow('low', { lastMetrics: { 'eval/swd_nfe1': metric(0.1) } }),
      makeRow('none'),
      makeRow('high', { lastMetrics: { 'swd/nfe1': metric(0.9) } }),
    ]
    expect(ids(sortRows(q, { key: 'quality1', dir: 'asc' }, 0)).slice(0, 2)).toEqual(['low', 'high'])
    expect(ids(sortRows(q, { key: 'quality1', dir: 'desc' }, 0)).slice(0, 2)).toEqual(['high', 'low'])
    expect(
      ids(sortRows(q, { key: 'quality1', dir: 'desc' }, 0))
        .slice(2)
        .sort(),
    ).toEqual(['nan', 'none'])
  })

  it('sorts text naturally (r2 before r10) and breaks ties newest first', () => {
    const t = [makeRow('r10', { createdAt: 1 }), makeRow('r2', { createdAt: 2 }), makeRow('r1', { createdAt: 3 })]
    expect(ids(sortRows(t, { key: 'id', dir: 'asc' }, 0))).toEqual(['r1', 'r2', 'r10'])
    const ties = [makeRow('x', { createdAt: 1 }), makeRow('y', { createdAt: 5 }), makeRow('z', { createdAt: 3 })]
    expect(ids(sortRows(ties, { key: 'dataset', dir: 'asc' }, 0))).toEqual(['y', 'z', 'x'])
  })

  it('does not modify its input', () => {
    const copy = rows.slice()
    sortRows(rows, { key: 'numScales', dir: 'asc' }, 0)
    expect(rows).toEqual(copy)
  })

  it('flips the direction on the same header and starts a new column at its first direction', () => {
    expect(nextSort({ key: 'lr', dir: 'asc' }, 'lr')).toEqual({ key: 'lr', dir: 'desc' })
    expect(nextSort({ key: 'lr', dir: 'desc' }, 'numScales')).toEqual({ key: 'numScales', dir: 'asc' })
    expect(nextSort({ key: 'lr', dir: 'asc' }, 'created')).toEqual({ key: 'created', dir: 'desc' })
    expect(ariaSort({ key: 'lr', dir: 'desc' }, 'lr')).toBe('descending')
    expect(ariaSort({ key: 'lr', dir: 'desc' }, 'id')).toBe('none')
  })

  it('sorts 10k rows correctly: ordered values, then every missing one', () => {
    const many = manyRows(10_000)
    for (const dir of ['asc', 'desc'] as const) {
      const sorted = sortRows(many, { key: 'quality1', dir }, 0)
      expect(sorted).toHaveLength(10_000)
      expect(new Set(ids(sorted)).size).toBe(10_000)
      const values = sorted.map((r) => cellValue(r, 'quality1', 0))
      const present = values.findIndex((v) => v === null || Number.isNaN(v))
      expect(present).toBeGreaterThan(8000)
      const head = values.slice(0, present) as number[]
      const outOfOrder = head.filter(
        (v, i) => i > 0 && (dir === 'asc' ? v < (head[i - 1] as number) : v > (head[i - 1] as number)),
      )
      expect(outOfOrder).toEqual([])
      expect(values.slice(present).every((v) => v === null || Number.isNaN(v))).toBe(true)
    }
    const byN = sortRows(many, { key: 'numScales', dir: 'asc' }, 0).map((r) => cellValue(r, 'numScales', 0))
    const firstMissing = byN.indexOf(null)
    expect(byN.slice(firstMissing).every((v) => v === null)).toBe(true)
    expect(firstMissing).toBe(10_000 - Math.ceil(10_000 / 13))
  })
})

describe('filtering', () => {
  const rows = [
    makeRow(
      'run-a',
      { tags: ['baseline'], notes: 'first try', status: 'finished' },
      { dataset: 'moons', algorithm: 'cd', numScales: 18 },
    ),
    makeRow(
      'run-b',
      { tags: ['sweep'], status: 'running' },
      { dataset: 'rings', algorithm: 'ict', numScales: 40, lr: 1e-4 },
    ),
    makeRow('run-c', { kind: 'teacher', status: 'failed', config: { dataset: 'rings', numSteps: 1000, steps: 100 } }),
    makeRow(
      'run-d',
      { lastMetrics: { 'eval/swd_nfe1': metric(0.05) } },
      { dataset: 'checkerboard', algorithm: 'tutorial', numScales: 100 },
    ),
  ]

  it('matches every word of the text against id, tags, notes, dataset and algorithm, case-insensitively', () => {
    expect(ids(filterRows(rows, filters({ text: 'BASELINE' }), 0))).toEqual(['run-a'])
    expect(ids(filterRows(rows, filters({ text: 'first' }), 0))).toEqual(['run-a'])
    expect(ids(filterRows(rows, filters({ text: 'rings' }), 0))).toEqual(['run-b', 'run-c'])
    expect(ids(filterRows(rows, filters({ text: 'rings ict' }), 0))).toEqual(['run-b'])
    expect(ids(filterRows(rows, filters({ text: 'tutorial' }), 0))).toEqual(['run-d'])
    expect(ids(filterRows(rows, filters({ text: 'run-c' }), 0))).toEqual(['run-c'])
    expect(filterRows(rows, filters({ text: 'nothing-matches' }), 0)).toEqual([])
  })

  it('applies the per-column selects together', () => {
    expect(ids(filterRows(rows, filters({ dataset: 'rings' }), 0))).toEqual(['run-b', 'run-c'])
    expect(ids(filterRows(rows, filters({ dataset: 'rings', kind: 'teacher' }), 0))).toEqual(['run-c'])
    expect(ids(filterRows(rows, filters({ status: 'running' }), 0))).toEqual(['run-b'])
    expect(ids(filterRows(rows, filters({ algorithm: 'cd' }), 0))).toEqual(['run-a'])
  })

  it('applies numeric ranges inclusively and drops rows without a value', () => {
    expect(ids(filterRows(rows, filters({ ranges: { numScales: { min: 18, max: 40 } } }), 0))).toEqual([
      'run-a',
      'run-b',
    ])
    expect(ids(filterRows(rows, filters({ ranges: { numScales: { min: 41, max: null } } }), 0))).toEqual(['run-d'])
    expect(ids(filterRows(rows, filters({ ranges: { lr: { min: null, max: 5e-4 } } }), 0))).toEqual(['run-b'])
    expect(ids(filterRows(rows, filters({ ranges: { quality1: { min: null, max: 0.1 } } }), 0))).toEqual(['run-d'])
  })

  it('returns a copy of everything without filters, and knows when filters are active', () => {
    const all = filterRows(rows, EMPTY_FILTERS, 0)
    expect(ids(all)).toEqual(ids(rows))
    expect(all).not.toBe(rows)
    expect(filtersActive(EMPTY_FILTERS)).toBe(false)
    expect(filtersActive(filters({ text: '  ' }))).toBe(false)
    expect(filtersActive(filters({ ranges: { lr: { min: null, max: null } } }))).toBe(false)
    expect(filtersActive(filters({ ranges: { lr: { min: 0, max: null } } }))).toBe(true)
  })

  it('filters 10k rows exactly like a brute-force check', () => {
    const many = manyRows(10_000)
    const f = filters({ text: 'sweep-a', dataset: 'rings', ranges: { numScales: { min: 50, max: 150 } } })
    const got = filterRows(many, f, 0)
    const expected = many.filter((r) => {
      const c = r.config as Record<string, unknown>
      const n = c.numScales
      return r.tags.includes('sweep-a') && c.dataset === 'rings' && typeof n === 'number' && n >= 50 && n <= 150
    })
    expect(got.length).toBeGreaterThan(10)
    expect(ids(got)).toEqual(ids(expected))
    const t0 = performance.now()
    sortRows(filterRows(many, filters({ text: 'heun' }), 0), { key: 'quality1', dir: 'asc' }, 0)
    expect(performance.now() - t0).toBeLessThan(500)
  })

  it('parses range bounds and lists distinct values', () => {
    expect(parseBound('')).toEqual({ value: null, error: null })
    expect(parseBound(' 1e-3 ')).toEqual({ value: 0.001, error: null })
    expect(parseBound('abc').error).toMatch(/"abc" is not a number/)
    expect(distinctConfigValues(rows, 'dataset')).toEqual(['checkerboard', 'moons', 'rings'])
  })
})

describe('formatting', () => {
  it('formats metrics, learning rates and durations readably', () => {
    expect(formatMetric(0.087345)).toBe('0.0873')
    expect(formatMetric(12.3456)).toBe('12.3')
    expect(formatMetric(0.00001234)).toBe('1.23e-5')
    expect(formatMetric(Number.NaN)).toBe('NaN')
    expect(formatMetric(Number.POSITIVE_INFINITY)).toBe('∞')
    expect(formatMetric(null)).toBe('—')
    expect(formatLr(1e-3)).toBe('1e-3')
    expect(formatLr(2.5e-4)).toBe('2.5e-4')
    expect(formatLr(0.1)).toBe('0.1')
    expect(formatDuration(12_400)).toBe('12s')
    expect(formatDuration(185_000)).toBe('3m 05s')
    expect(formatDuration(3_720_000)).toBe('1h 02m')
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe('2d 03h')
    expect(formatDuration(null)).toBe('—')
  })

  it('shows progress in the steps cell while a run is active', () => {
    const running = makeRow('r', { status: 'running', lastMetrics: { loss: metric(0.3, 1200) } }, { steps: 3000 })
    expect(formatCell(running, 'steps', 0)).toBe('1200 / 3000')
    expect(formatCell(makeRow('f'), 'steps', 0)).toBe('3000')
    expect(formatCell(makeRow('f'), 'lr', 0)).toBe('1e-3')
    expect(formatCell(makeRow('f', { tags: ['a', 'b'] }), 'tags', 0)).toBe('a, b')
    expect(formatCell(makeRow('f', { config: null }), 'numScales', 0)).toBe('—')
  })
})

describe('row window', () => {
  it('renders the rows in view plus overscan, with spacers for the rest', () => {
    const w = rowWindow(3200, 640, 32, 10_000, 5)
    expect(w.start).toBe(95)
    expect(w.end).toBe(100 + 21 + 5)
    expect(w.padTop).toBe(95 * 32)
    expect(w.padTop + (w.end - w.start) * 32 + w.padBottom).toBe(10_000 * 32)
  })

  it('clamps at both ends and handles an empty table', () => {
    expect(rowWindow(0, 640, 32, 10_000, 5).start).toBe(0)
    const end = rowWindow(10_000 * 32, 640, 32, 10_000, 5)
    expect(end.end).toBe(10_000)
    expect(end.start).toBeLessThanOrEqual(end.end)
    expect(end.padBottom).toBe(0)
    expect(rowWindow(0, 640, 32, 3, 5)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 })
    expect(rowWindow(0, 640, 32, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 })
  })
})
