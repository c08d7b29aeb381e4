import { randomBytes } from 'node:crypto'

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz' // Crockford's alphabet, lower case

/**
 * A run id that sorts by creation time: `YYYYMMDD-HHMMSS-` in UTC, then 8 random base-32 characters
 * (40 bits: 10k runs created in one second collide with probability ~5e-5; createRun retries on a clash).
 */
export function newRunId(now: number = Date.now()): string {
  const iso = new Date(now).toISOString() // 2026-11-03T14:25:30.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`
  const bytes = randomBytes(8)
  let tail = ''
  for (const b of bytes) tail += BASE32[b & 31]
  return `${stamp}-${tail}`
}
