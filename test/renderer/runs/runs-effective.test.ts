/**
 * The runs table over what runs trained with: the history lists each run's effective config beside its
 * config, and the mu column, its sort and its range filter read the effective value, showing the asked one
 * where they differ.
 */
import { describe, expect, it } from 'vitest'
import { RunsState } from '../../../src-renderer/lib/state/runs.svelte'
import {
  cellValue,
  filterRows,
  formatCell,
  sortRows,
  EMPTY_FILTERS,
  type RunRow,
} from '../../../src-renderer/lib/runs-table'
import { fakeApi, makeRow } from './fixtures'

const ICT_ASKED = { algorithm: 'ict', numScales: 40, targetEma: 0.95, weighting: 'uniform' }

/** An iCT run stored with mu 0.95, listed as the history lists it (runs.list with configs). */
const ict = (id: string): RunRow => {
  const row = makeRow(id, {}, ICT_ASKED)
  return { ...row, effectiveConfig: { ...(row.config as object), targetEma: 0, weighting: 'inverse-gap' } }
}
const cd = (id: string, targetEma: number): RunRow => {
  const row = makeRow(id, {}, { algorithm: 'cd', targetEma })
  return { ...row, effectiveConfig: row.config }
}

describe('the runs table and the effective config', () => {
  it('#16.2 an iCT run stored with targetEma 0.95 shows mu 0 with the asked 0.95 beside it', () => {
    const row = ict('i')
    expect(cellValue(row, 'targetEma', 0)).toBe(0)
    expect(formatCell(row, 'targetEma', 0)).toBe('0 (asked 0.95)')
    expect(formatCell(cd('c', 0.95), 'targetEma', 0)).toBe('0.95')
  })

  it('#16.2 the mu range filter and the sort take the value the run trained with', () => {
    const rows = [ict('i'), cd('c', 0.95), cd('z', 0)]
    const filtered = (min: number | null, max: number | null) =>
      filterRows(rows, { ...EMPTY_FILTERS, ranges: { targetEma: { min, max } } }, 0).map((r) => r.id)
    expect(filtered(0.9, null)).toEqual(['c'])
    expect(filtered(null, 0)).toEqual(['i', 'z'])
    expect(sortRows(rows, { key: 'targetEma', dir: 'desc' }, 0)[0]?.id).toBe('c')
  })

  it('#16.2 a row without the listed effective config gets it from its stored config', () => {
    const row = makeRow('old', {}, ICT_ASKED)
    expect(row.effectiveConfig).toBeUndefined()
    expect(cellValue(row, 'targetEma', 0)).toBe(0)
    expect(formatCell(row, 'targetEma', 0)).toBe('0 (asked 0.95)')
  })

  it('#16.2 the runs view filters an iCT run asked mu 0.95 as mu 0', async () => {
    const fake = fakeApi({ 'runs.list': () => [ict('i'), cd('c', 0.95)] })
    const state = new RunsState(fake.api, { navigate: () => {}, now: () => 0, batchMs: 0, pollMs: 60_000 })
    await state.load()
    state.setRange('targetEma', { min: 0.9, max: 1 })
    expect(state.view.map((r) => r.id)).toEqual(['c'])
    state.setRange('targetEma', { min: 0, max: 0 })
    expect(state.view.map((r) => r.id)).toEqual(['i'])
    expect(formatCell(state.view[0] as RunRow, 'targetEma', 0)).toBe('0 (asked 0.95)')
  })
})
