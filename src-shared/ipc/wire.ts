/**
 * JSON for the WebSocket transport that keeps what structured clone keeps and plain JSON loses: NaN and
 * ±Infinity (a diverged loss is NaN, and a chart must show it as such) travel as `{ "$num": "NaN" }`.
 * Both transports therefore return the same values.
 */

const NON_FINITE_KEY = '$num'

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return { [NON_FINITE_KEY]: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' }
    return v
  })
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v)
      if (keys.length === 1 && keys[0] === NON_FINITE_KEY) {
        const s = (v as Record<string, unknown>)[NON_FINITE_KEY]
        if (s === 'NaN') return NaN
        if (s === 'Infinity') return Infinity
        if (s === '-Infinity') return -Infinity
      }
    }
    return v
  })
}
