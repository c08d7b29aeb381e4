/**
 * #20 `clab distill` ends by saying where its pictures are and how to open the UI: a 2D run's final samples
 * (CSV) are drawn into its run folder as scatter PNGs, and data | teacher | student 1 step | 2 steps side by side.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { CAPTION_HEIGHT } from '../../src-main/cli/run-pictures'
import { clab, lastJsonLine, TEST_DATA_DIR } from '../helpers/cli'

const BLUE = [31, 94, 190]
const GREY = [200, 200, 200]
const CAPTION_INK = [40, 40, 40]

function countColour(png: PNG, [r, g, b]: number[], fromX: number, toX: number, toY = png.height): number {
  let n = 0
  for (let y = 0; y < toY; y++)
    for (let x = fromX; x < toX; x++) {
      const o = 4 * (y * png.width + x)
      if (png.data[o] === r && png.data[o + 1] === g && png.data[o + 2] === b) n++
    }
  return n
}

describe('#20 clab distill shows where to look', () => {
  it('writes the run folder PNGs, prints their paths and the serve command', async () => {
    const args = ['distill', '--dataset', 'moons', '--steps', '20', '--batch', '64', '--backend', 'wasm', '--json']
    const result = await clab(args)
    expect(result.code, result.stderr).toBe(0)
    const summary = lastJsonLine(result.stdout) as { runId: string; pictures: string[] }
    const samplesDir = join(TEST_DATA_DIR, 'runs', summary.runId, 'samples')
    const [sideBySide, ...perSet] = summary.pictures
    expect(sideBySide).toBe(join(samplesDir, 'data-teacher-student.png'))
    expect(perSet.map((p) => basename(p)).sort()).toEqual(
      ['data', 'student-nfe1', 'student-nfe2', 'student-nfe4', 'student-nfe8', 'teacher-k100'].map((n) => `${n}.png`),
    )
    for (const path of summary.pictures) expect(existsSync(path), path).toBe(true)
    // The table and these lines go to stderr under --json.
    expect(result.stderr).toContain(`pictures: ${sideBySide}`)
    expect(result.stderr).toMatch(/see it in the app: (npm run build && )?npm run clab -- serve --open/)

    // Four square panels under a caption strip: the held-out data in blue alone, then the teacher and the
    // student at 1 and 2 steps in blue over it in grey; each panel says what it is above it.
    const png = PNG.sync.read(readFileSync(sideBySide as string))
    const panel = png.height - CAPTION_HEIGHT
    expect(png.width).toBeGreaterThan(4 * panel)
    const gap = (png.width - 4 * panel) / 3
    expect(gap).toBeLessThan(panel / 4)
    const starts = [0, 1, 2, 3].map((i) => i * (panel + gap))
    expect(countColour(png, BLUE, starts[0] as number, (starts[0] as number) + panel)).toBeGreaterThan(1000)
    expect(countColour(png, GREY, starts[0] as number, (starts[0] as number) + panel)).toBe(0)
    for (const start of starts.slice(1)) {
      expect(countColour(png, BLUE, start, start + panel)).toBeGreaterThan(500)
      expect(countColour(png, GREY, start, start + panel)).toBeGreaterThan(0)
    }
    for (const start of starts)
      expect(countColour(png, CAPTION_INK, start, start + panel, CAPTION_HEIGHT)).toBeGreaterThan(50)
    // Each per-set picture is the plot of its CSV: as many points drawn as the CSV has (4000 here) leave blue.
    const student = PNG.sync.read(readFileSync(join(samplesDir, 'student-nfe1.png')))
    expect(readFileSync(join(samplesDir, 'student-nfe1.csv'), 'utf8').trim().split('\n')).toHaveLength(4001)
    expect(countColour(student, BLUE, 0, student.width)).toBeGreaterThan(1000)
  })
})
