/**
 * A run's colour, from its id: the same run has the same colour in every view (Compare's panels, the Live
 * view, exported PNGs), whatever else is compared with it. Thirteen clearly different hues (Tableau 10 without
 * its grey, and four more; no two shades of one hue, and no grey, the held-out data's colour) keep two runs
 * of a comparison apart most of the time; when two ids land on one hue, `runColours` moves the later id to
 * the next free one, so a comparison never shows one colour twice (up to thirteen runs), and the same set of
 * runs always gets the same colours.
 */

export const RUN_PALETTE = [
  '#4e79a7', // blue
  '#f28e2b', // orange
  '#e15759', // red
  '#76b7b2', // teal
  '#59a14f', // green
  '#edc948', // yellow
  '#b07aa1', // purple
  '#ff9da7', // pink
  '#9c755f', // brown
  '#bcbd22', // olive
  '#e377c2', // magenta
  '#393b79', // navy
  '#843c39', // maroon
] as const

/** FNV-1a over the id's UTF-16 code units: cheap, stable across platforms and sessions. */
function hash(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** The palette slot of a run id. */
export function runColourIndex(id: string): number {
  return hash(id) % RUN_PALETTE.length
}

/** The run's own colour (`#rrggbb`). */
export function runColour(id: string): string {
  return RUN_PALETTE[runColourIndex(id)] as string
}

/**
 * Colours for runs shown together: each its own colour unless an id earlier in sorted order already took
 * it, then the next free slot. Sorting makes the result independent of the order the runs are listed in.
 */
export function runColours(ids: readonly string[]): Record<string, string> {
  const taken = new Set<number>()
  const out: Record<string, string> = {}
  for (const id of [...new Set(ids)].sort()) {
    let slot = runColourIndex(id)
    for (let k = 0; k < RUN_PALETTE.length && taken.has(slot); k++) slot = (slot + 1) % RUN_PALETTE.length
    taken.add(slot)
    out[id] = RUN_PALETTE[slot] as string
  }
  return out
}
