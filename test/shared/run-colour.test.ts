import { describe, expect, it } from 'vitest'
import { RUN_PALETTE, runColour, runColours } from '../../src-shared/run-colour'

const ids = ['7xr1y7dx', 'k2m9q0aa', 'zz81bb0c', '0f3hh2pp', 'mq4e9w1t', 'p0o9i8u7']

describe('#19 item 8: a stable colour per run', () => {
  it('derives the colour from the id alone, the same whatever else is compared', () => {
    for (const id of ids) expect(RUN_PALETTE).toContain(runColour(id))
    expect(runColour('7xr1y7dx')).toBe(runColour('7xr1y7dx'))
    const alone = runColours(['7xr1y7dx'])
    expect(alone['7xr1y7dx']).toBe(runColour('7xr1y7dx'))
    // Listing order does not matter.
    expect(runColours([...ids].reverse())).toEqual(runColours(ids))
  })

  it('different ids spread over the palette', () => {
    const many = Array.from({ length: 200 }, (_, i) => `run${i.toString(36)}x`)
    expect(new Set(many.map(runColour)).size).toBe(RUN_PALETTE.length)
  })

  it('never gives two runs of one comparison the same colour (up to the palette size)', () => {
    const many = Array.from({ length: RUN_PALETTE.length }, (_, i) => `id-${i * 7919}`)
    const colours = Object.values(runColours(many))
    expect(new Set(colours).size).toBe(many.length)
    // Runs whose own slots clash: one keeps it, the other moves.
    const clash: string[] = []
    for (let i = 0; clash.length < 2 && i < 10_000; i++) {
      const id = `c${i}`
      if (clash.length === 0 || runColour(id) === runColour(clash[0] as string)) clash.push(id)
    }
    const pair = runColours(clash)
    expect(pair[clash[0] as string]).toBe(runColour(clash[0] as string))
    expect(pair[clash[1] as string]).not.toBe(pair[clash[0] as string])
  })
})
