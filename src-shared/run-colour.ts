/**
 * A run's colour, from its id: the same run has the same colour in every view (Compare's panels, the Live
 * view, exported PNGs), whatever else is compared with it. Twenty hues (Tableau 20's strong and light rows,
 * interleaved so neighbours differ) keep two runs of a comparison from sharing one most of the time; when
 * they do, `runColours` moves the later id to the next free hue, so a comparison never shows one colour twice
 * (up to twenty runs), and the same set of runs always gets the same colours.
 */

export const RUN_PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#79706e',
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#ff7f0e',
  '#393b79',
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
