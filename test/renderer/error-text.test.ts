import { describe, expect, it } from 'vitest'
import { ApiCallError } from '../../src-renderer/lib/api'
import { errorText, fieldWords } from '../../src-renderer/lib/error-text'

describe('errorText (the one way the renderer words a failure)', () => {
  it('#16.5 a refused call says its message, naming the field only where asked; other errors say their message', () => {
    const refused = new ApiCallError({ code: 'NOT_FOUND', message: 'no run r1', field: 'id' })
    expect(errorText(refused)).toBe('no run r1')
    expect(errorText(refused, { field: true })).toBe('no run r1 — check the id')
    expect(errorText(new ApiCallError({ code: 'DATABASE_BUSY', message: 'busy' }), { field: true })).toBe('busy')
    expect(errorText(new Error('socket closed'))).toBe('socket closed')
    expect(errorText('plain')).toBe('plain')
  })
})

describe('#19 item 15: messages use words, not internal names', () => {
  it('points to the field in words, and not at all when the message names it', () => {
    const path = new ApiCallError({ code: 'INVALID_PAYLOAD', message: 'not a teacher checkpoint', field: 'path' })
    expect(errorText(path, { field: true })).toBe('not a teacher checkpoint — check the file path')
    expect(errorText(path, { field: true })).not.toContain('(path)')
    const named = new ApiCallError({ code: 'NOT_FOUND', message: 'no such file path: /x.ckpt', field: 'path' })
    expect(errorText(named, { field: true })).toBe('no such file path: /x.ckpt')
    expect(fieldWords('config.numSteps')).toBe('num steps')
    expect(fieldWords('runId')).toBe('run')
  })
})
