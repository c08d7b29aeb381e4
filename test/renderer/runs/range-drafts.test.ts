import { describe, expect, it } from 'vitest'
import { RangeDrafts } from '../../../src-renderer/lib/state/range-drafts.svelte'

describe('RangeDrafts (the typed bounds of the Runs view range filters)', () => {
  it('#16.5 a valid pair of bounds is a range; a bad bound keeps its text and error and gives no range', () => {
    const drafts = new RangeDrafts()
    expect(drafts.typed).toBe(false)
    expect(drafts.input('numScales', 'min', '4')).toEqual({ min: 4, max: null })
    expect(drafts.input('numScales', 'max', 'abc')).toBeNull()
    expect(drafts.errors.numScales).toBe('"abc" is not a number')
    expect(drafts.text['numScales.max']).toBe('abc')
    expect(drafts.input('numScales', 'max', ' 12 ')).toEqual({ min: 4, max: 12 })
    expect(drafts.errors.numScales).toBeUndefined()
    expect(drafts.typed).toBe(true)
    drafts.clear()
    expect(drafts.typed).toBe(false)
    expect(drafts.errors).toEqual({})
  })
})
