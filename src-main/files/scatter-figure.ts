/**
 * A 2D sample scatter as a figure that stands on its own once exported: a title, axes with numbered ticks,
 * the samples in the run's colour over the held-out data in grey, a legend naming both, and the count of
 * points beyond the range, at twice the pixels (1120 x 1160). The range comes from the data, widened by the
 * samples within limits (robust-range.ts), so the data fills the plot and a diverged run's far points are
 * marked on the edge instead of shrinking everything else. pngjs encodes; pixel-font draws the text.
 */
import { PNG } from 'pngjs'
import { clipToBox, offChartText, robustSquare, type Box, type XY } from '@shared/robust-range'
import { drawText, GLYPH_HEIGHT, textWidth } from './pixel-font'

/** Pixels per layout unit: the figure is drawn at 2x. */
export const FIGURE_SCALE = 2
/** Layout in units (x FIGURE_SCALE pixels): the square plot, and the margins for ticks, title and legend. */
const L = { width: 560, height: 580, left: 64, top: 40, plot: 472 }

type RGB = readonly [number, number, number]
const INK: RGB = [29, 33, 40]
const MUTED: RGB = [91, 100, 114]
const GRID: RGB = [232, 234, 237]
const DATA_GREY: RGB = [190, 195, 202]
const WARN: RGB = [176, 96, 0]

export interface FigureOptions {
  title: string
  /** The samples' legend entry: the run's name and id. */
  label: string
  /** `#rrggbb` of the run (src-shared/run-colour.ts). */
  colour: string
  /** The held-out data drawn in grey underneath; also what the range is set by. */
  background?: Float32Array | null
}

function rgb(hex: string): RGB {
  const n = Number.parseInt(/^#([0-9a-f]{6})$/i.exec(hex)?.[1] ?? '1f5ebe', 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

function toXY(flat: Float32Array | null | undefined): XY[] {
  const out: XY[] = []
  if (flat) for (let i = 0; i + 1 < flat.length; i += 2) out.push({ x: flat[i] as number, y: flat[i + 1] as number })
  return out
}

/** Tick values: 1, 2 or 5 times a power of ten apart, about five across the range. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  const raw = (max - min) / target
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v)
  return out
}

function tickText(v: number): string {
  const a = Math.abs(v)
  if (v === 0) return '0'
  if (a >= 1000 || a < 0.01) return v.toExponential(0).replace('+', '')
  return String(Number(v.toPrecision(3)))
}

class Canvas {
  readonly png: PNG
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height })
    this.png.data.fill(255)
  }
  set(x: number, y: number, [r, g, b]: RGB): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return
    const o = 4 * (Math.floor(y) * this.width + Math.floor(x))
    this.png.data[o] = r
    this.png.data[o + 1] = g
    this.png.data[o + 2] = b
  }
  rect(x: number, y: number, w: number, h: number, c: RGB): void {
    for (let dy = 0; dy < h; dy++) for (let dx = 0; dx < w; dx++) this.set(x + dx, y + dy, c)
  }
  text(s: string, x: number, y: number, scale: number, c: RGB): void {
    drawText(s, Math.round(x), Math.round(y), scale, (px, py) => this.set(px, py, c))
  }
  /** A small upward triangle centred at (x, y): a point beyond the range, on its edge. */
  triangle(x: number, y: number, h: number, c: RGB): void {
    for (let r = 0; r < h; r++)
      for (let dx = -r; dx <= r; dx++) if (r === h - 1 || Math.abs(dx) === r) this.set(x + dx, y - h / 2 + r, c)
  }
}

export function scatterFigure(points: Float32Array, options: FigureOptions): Buffer {
  const S = FIGURE_SCALE
  const cv = new Canvas(L.width * S, L.height * S)
  const data = toXY(options.background)
  const samples = toXY(points)
  const box: Box = robustSquare(data.length > 0 ? [data] : [], [samples]) ?? { minX: -2, maxX: 2, minY: -2, maxY: 2 }
  const px0 = L.left * S
  const py0 = L.top * S
  const side = L.plot * S
  const toPx = (p: XY) => ({
    x: px0 + ((p.x - box.minX) / (box.maxX - box.minX)) * (side - 1),
    y: py0 + ((box.maxY - p.y) / (box.maxY - box.minY)) * (side - 1),
  })
  // Grid and tick labels.
  const font = S
  for (const v of niceTicks(box.minX, box.maxX)) {
    const x = Math.round(toPx({ x: v, y: box.minY }).x)
    cv.rect(x, py0, 1, side, GRID)
    const t = tickText(v)
    cv.text(t, x - textWidth(t, font) / 2, py0 + side + 6 * S, font, MUTED)
  }
  for (const v of niceTicks(box.minY, box.maxY)) {
    const y = Math.round(toPx({ x: box.minX, y: v }).y)
    cv.rect(px0, y, side, 1, GRID)
    const t = tickText(v)
    cv.text(t, px0 - 6 * S - textWidth(t, font), y - (GLYPH_HEIGHT * font) / 2, font, MUTED)
  }
  // Points: data underneath, samples over it, far samples as edge marks.
  const dot = (p: XY, c: RGB, r: number) => {
    const q = toPx(p)
    cv.rect(Math.round(q.x - r / 2), Math.round(q.y - r / 2), r, r, c)
  }
  for (const p of clipToBox(data, box).inside) dot(p, DATA_GREY, 2 * S)
  const colour = rgb(options.colour)
  const run = clipToBox(samples, box)
  for (const p of run.inside) dot(p, colour, 2 * S)
  for (const p of run.edge) {
    const q = toPx(p)
    cv.triangle(Math.round(q.x), Math.round(q.y), 4 * S, colour)
  }
  // Axes frame.
  cv.rect(px0, py0 + side, side, S, MUTED)
  cv.rect(px0 - S, py0, S, side + S, MUTED)
  // Title, centred above the plot (cut to fit).
  let title = options.title
  // Large when it fits, else smaller (a run id is long), else cut.
  const big = textWidth(title, 3) <= (L.width - 16) * S ? 3 : S
  while (title.length > 4 && textWidth(title, big) > (L.width - 16) * S) title = `${title.slice(0, -4)}...`
  cv.text(title, (L.width * S - textWidth(title, big)) / 2, 14 * S, big, INK)
  // Legend under the x ticks: data, the run, and how many points lie beyond the range.
  let lx = px0
  const ly = py0 + side + 26 * S
  const entry = (label: string, c: RGB) => {
    cv.rect(lx, ly, 8 * S, 7 * S, c)
    cv.text(label, lx + 12 * S, ly, font, INK)
    lx += 12 * S + textWidth(label, font) + 16 * S
  }
  if (data.length > 0) entry('held-out data', DATA_GREY)
  entry(options.label, colour)
  if (run.off > 0) cv.text(`${offChartText(run.off, run.nonFinite)} (marked at the edge)`, px0, ly + 12 * S, font, WARN)
  return PNG.sync.write(cv.png)
}

/** A sample's figure title and legend entry: which run, which model at how many steps, which training step. */
/** With the run's name (#19 item 7) the figure is named as people call the run, its id beside it in the title. */
export function sampleFigureText(
  s: { runId: string; model: string; nfe: number; step: number },
  runName?: string,
): {
  title: string
  label: string
} {
  const steps = `${s.nfe} step${s.nfe === 1 ? '' : 's'}`
  const what = s.model === 'data' ? 'held-out data' : s.model === 'teacher' ? `teacher, ${steps}` : `student, ${steps}`
  const run = runName ? `${runName} (${s.runId})` : `Run ${s.runId}`
  return {
    title: `${run}: ${what}${s.model === 'data' ? '' : `, training step ${s.step}`}`,
    label: s.model === 'data' ? 'held-out data' : `${runName ?? s.runId} (${what})`,
  }
}
