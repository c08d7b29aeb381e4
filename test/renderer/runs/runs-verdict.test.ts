/** #19.2 The runs table's status filter and badge use the shown status: a diverged run is not "finished". */
import { describe, expect, it } from 'vitest'
import { SHOWN_STATUSES, shownStatus } from '@shared/store/shown-status'
import { EMPTY_FILTERS, filterRows, type RunRow } from '../../../src-renderer/lib/runs-table'
import { makeRow } from './fixtures'

const rows: RunRow[] = [
  makeRow('good', { status: 'finished', verdict: null }),
  makeRow('bad', { status: 'finished', verdict: 'diverged', verdictReason: 'the one-step sliced W 790 is 269x' }),
  makeRow('old', { status: 'finished' }), // stored before verdicts: no field at all
  makeRow('live', { status: 'running', verdict: null }),
]
const ids = (status: (typeof SHOWN_STATUSES)[number]) =>
  filterRows(rows, { ...EMPTY_FILTERS, status }, 0).map((r) => r.id)

describe('#19 diverged runs in the runs table', () => {
  it('#19 the status filter offers diverged and tells it apart from finished', () => {
    expect(SHOWN_STATUSES).toContain('diverged')
    expect(ids('diverged')).toEqual(['bad'])
    expect(ids('finished')).toEqual(['good', 'old'])
    expect(ids('running')).toEqual(['live'])
  })

  it('#19 the badge reads the verdict only on a finished run', () => {
    expect(rows.map(shownStatus)).toEqual(['finished', 'diverged', 'finished', 'running'])
    expect(shownStatus({ status: 'running', verdict: 'diverged' })).toBe('running')
  })
})
