import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { FIGURE_SCALE, niceTicks, sampleFigureText, scatterFigure } from '../../src-main/files/scatter-figure'
import { canDraw, drawText, textWidth } from '../../src-main/files/pixel-font'
import { scatterPng } from '../../src-main/files/scatter-png'

/** n points on a ring of radius r (a seeded stand-in for 2D samples), interleaved x, y. */
function ring(n: number, r: number, cx = 0): Float32Array {
  const out = new Float32Array(2 * n)
  for (let i = 0; i < n; i++) {
    out[2 * i] = cx + r * Math.cos((2 * Math.PI * i) / n)
    out[2 * i + 1] = r * Math.sin((2 * Math.PI * i) / n)
  }
  return out
}

const RUN = [225, 87, 89] // #e15759
function count(png: PNG, rgb: number[], region?: { x0: number; y0: number; x1: number; y1: number }): number {
  const r = region ?? { x0: 0, y0: 0, x1: png.width, y1: png.height }
  let n = 0
  for (let y = r.y0; y < r.y1; y++)
    for (let x = r.x0; x < r.x1; x++) {
      const o = 4 * (y * png.width + x)
      if (png.data[o] === rgb[0] && png.data[o + 1] === rgb[1] && png.data[o + 2] === rgb[2]) n++
    }
  return n
}

describe('#19 item 12: exported scatter PNGs are figures', () => {
  it('has 2x pixels, a title, tick labels, a legend, and data that fills the plot', () => {
    const bytes = scatterFigure(ring(400, 0.9), {
      title: 'Run 7xr1y7dx: student, 1 step, training step 3000',
      label: '7xr1y7dx (student, 1 step)',
      colour: '#e15759',
      background: ring(500, 1),
    })
    const png = PNG.sync.read(bytes)
    expect([png.width, png.height]).toEqual([560 * FIGURE_SCALE, 580 * FIGURE_SCALE])
    const ink = [29, 33, 40]
    const muted = [91, 100, 114]
    // Title: ink in the band above the plot.
    expect(count(png, ink, { x0: 0, y0: 0, x1: png.width, y1: 40 * FIGURE_SCALE })).toBeGreaterThan(500)
    // Tick labels left of the plot and under it.
    expect(
      count(png, muted, { x0: 0, y0: 40 * FIGURE_SCALE, x1: 60 * FIGURE_SCALE, y1: 512 * FIGURE_SCALE }),
    ).toBeGreaterThan(100)
    // Legend: the run's swatch and name (ink) under the ticks.
    const legend = { x0: 0, y0: 530 * FIGURE_SCALE, x1: png.width, y1: png.height }
    expect(count(png, ink, legend)).toBeGreaterThan(300)
    expect(count(png, RUN, legend)).toBeGreaterThanOrEqual(8 * 7 * FIGURE_SCALE * FIGURE_SCALE)
    // The data ring spans most of the plot: run pixels reach beyond its middle 80% on both sides.
    const plot = { x0: 64 * FIGURE_SCALE, x1: (64 + 472) * FIGURE_SCALE }
    let minX = Infinity
    let maxX = -Infinity
    for (let y = 40 * FIGURE_SCALE; y < 512 * FIGURE_SCALE; y++)
      for (let x = plot.x0; x < plot.x1; x++) {
        const o = 4 * (y * png.width + x)
        if (png.data[o] === 190 && png.data[o + 1] === 195 && png.data[o + 2] === 202) {
          minX = Math.min(minX, x)
          maxX = Math.max(maxX, x)
        }
      }
    expect((maxX - minX) / (plot.x1 - plot.x0)).toBeGreaterThan(0.8)
  })

  it('a diverged run: the range stays on the data, the far points are marked and counted in words', () => {
    const calm = PNG.sync.read(
      scatterFigure(ring(400, 0.9), { title: 't', label: 'r', colour: '#e15759', background: ring(500, 1) }),
    )
    const wild = PNG.sync.read(
      scatterFigure(ring(400, 1100, -160), { title: 't', label: 'r', colour: '#e15759', background: ring(500, 1) }),
    )
    const warn = [176, 96, 0]
    expect(count(calm, warn)).toBe(0)
    expect(count(wild, warn)).toBeGreaterThan(200)
  })

  it('titles and labels say what the picture is', () => {
    expect(sampleFigureText({ runId: 'abc', model: 'student', nfe: 1, step: 3000 })).toEqual({
      title: 'Run abc: student, 1 step, training step 3000',
      label: 'abc (student, 1 step)',
    })
    expect(sampleFigureText({ runId: 'abc', model: 'data', nfe: 0, step: 0 }).title).toBe('Run abc: held-out data')
    // #19 item 7: named as people call the run, the id beside it.
    expect(sampleFigureText({ runId: 'abc', model: 'student', nfe: 2, step: 300 }, 'cd N6 mu0 lr2e-3')).toEqual({
      title: 'cd N6 mu0 lr2e-3 (abc): student, 2 steps, training step 300',
      label: 'cd N6 mu0 lr2e-3 (student, 2 steps)',
    })
    expect(niceTicks(-2.2, 2.2)).toEqual([-2, -1, 0, 1, 2])
    const unit = niceTicks(0, 1)
    expect(unit).toHaveLength(6)
    expect(unit[0]).toBe(0)
    expect(unit[5]).toBeCloseTo(1, 12)
  })

  it('the pixel font covers the text it is given and measures it', () => {
    expect(
      canDraw('Run 7xr1y7dx: student, 1 step (0.25, -1e3) 312 points off the chart, 3 of them not finite (NaN or ±∞)'),
    ).toBe(true)
    expect(textWidth('ab', 2)).toBe((5 + 1 + 5) * 2)
    let dots = 0
    drawText('1', 0, 0, 1, () => dots++)
    expect(dots).toBe(10)
  })

  it('the thumbnail scatter fills its square with the data by default', () => {
    const png = PNG.sync.read(scatterPng(ring(100, 0.5), { size: 200, background: ring(500, 0.5) }))
    let minX = Infinity
    let maxX = -Infinity
    for (let y = 0; y < 200; y++)
      for (let x = 0; x < 200; x++) {
        const o = 4 * (y * 200 + x)
        if (png.data[o] !== 255) {
          minX = Math.min(minX, x)
          maxX = Math.max(maxX, x)
        }
      }
    expect((maxX - minX) / 200).toBeGreaterThan(0.75)
  })
})
