/** #19.4/#19.5 The CLI's phase line off a terminal (logs, CI): a line when a phase begins, at tenths, and when it ends. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { phaseLine } from '../../src-main/cli/progress'

afterEach(() => vi.restoreAllMocks())

describe('#19 phaseLine (not a terminal)', () => {
  it('#19 prints the engine start, then the final evaluation with its count and time', () => {
    const lines: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
    const tty = process.stderr.isTTY
    process.stderr.isTTY = false
    try {
      let now = 0
      const line = phaseLine(() => now)
      line.show({ name: 'engine', done: 0, total: 0, since: 0 })
      now = 3200
      line.show(null)
      line.show({ name: 'evaluation', done: 0, total: 7, since: 3200 })
      now = 5000
      line.show({ name: 'evaluation', done: 1, total: 7, since: 3200 })
      line.show({ name: 'evaluation', done: 1, total: 7, since: 3200 }) // no news: no line
      now = 23_200
      line.show({ name: 'evaluation', done: 7, total: 7, since: 3200 })
      line.stop()
    } finally {
      process.stderr.isTTY = tty
    }
    expect(lines.join('')).toBe(
      [
        'starting engine (loading backend), 0.0 s',
        'starting engine (loading backend), 3.2 s (done)',
        'final evaluation: 0 of 7 models x NFE, 0.0 s',
        'final evaluation: 1 of 7 models x NFE, 1.8 s',
        'final evaluation: 7 of 7 models x NFE, 20.0 s (done)',
        '',
      ].join('\n'),
    )
  })
})
