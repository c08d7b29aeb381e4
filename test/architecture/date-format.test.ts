import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatDateTime } from '../../src-renderer/lib/runs-table'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|svelte)$/.test(name) ? [path] : []
  })
}

describe('#19 item 14: one date format everywhere in the app', () => {
  it('dates read year-month-day hours:minutes, local time', () => {
    const ms = new Date(2026, 11, 4, 18, 0, 13).getTime()
    expect(formatDateTime(ms)).toBe('2026-12-04 18:00')
    expect(formatDateTime(null)).toBe('—')
  })

  it('no view formats a date with the browser locale (the "12/4/2026, 6:12:13 PM" form)', () => {
    const root = new URL('../../src-renderer', import.meta.url).pathname
    const offenders = sources(root).filter((f) =>
      /\.toLocale(?:Date|Time)?String\(|Intl\.DateTimeFormat/.test(readFileSync(f, 'utf8')),
    )
    expect(offenders).toEqual([])
  })
})
