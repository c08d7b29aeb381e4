import { describe, expect, it } from 'vitest'
import { ApiCallError } from '../../src-renderer/lib/api'
import { errorText } from '../../src-renderer/lib/error-text'

describe('errorText (the one way the renderer words a failure)', () => {
  it('#16.5 a refused call says its message, naming the field only where asked; other errors say their message', () => {
    const refused = new ApiCallError({ code: 'NOT_FOUND', message: 'no run r1', field: 'id' })
    expect(errorText(refused)).toBe('no run r1')
    expect(errorText(refused, { field: true })).toBe('no run r1 (id)')
    expect(errorText(new ApiCallError({ code: 'DATABASE_BUSY', message: 'busy' }), { field: true })).toBe('busy')
    expect(errorText(new Error('socket closed'))).toBe('socket closed')
    expect(errorText('plain')).toBe('plain')
  })
})
