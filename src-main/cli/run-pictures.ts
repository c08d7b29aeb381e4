/**
 * The pictures `clab distill` points people to when a run ends, so they see the result and not a table only.
 * A 2D run keeps its final samples as CSV (numbers, for tools), so its pictures are drawn here from them into
 * the run's samples folder: each set as a scatter over the held-out data (`<set>.png`) and four side by
 * side, data | teacher | student at 1 and 2 steps (`data-teacher-student.png`). An image run already has its PNG
 * grids and compare.png, which are returned as they are.
 */
import { join } from 'node:path'
import { PNG } from 'pngjs'
import type { SampleRecord } from '@shared/store/types'
import { MAX_RUN_FILE_BYTES } from '../services/run-folder'
import { writeRunFile } from '../files/run-sample-files'
import { drawText, GLYPH_HEIGHT, textWidth } from '../files/pixel-font'
import { lstatOrNull, readRegularFileAsync } from '../files/safe-fs'
import { readPointsCsv, scatterPng } from '../files/scatter-png'

export const SIDE_BY_SIDE = 'data-teacher-student.png'

/** Pixels per panel of the side-by-side picture, and the gap between panels. */
const PANEL = 400
const GAP = 8
/** The strip above the panels that says what each one is; the text is drawn at 2 pixels per font dot. */
export const CAPTION_HEIGHT = 32
const CAPTION_SCALE = 2
const CAPTION_INK = [40, 40, 40, 255]

type FinalSample = Pick<SampleRecord, 'role' | 'model' | 'nfe' | 'path'>

/**
 * Writes (2D) or finds (images) the pictures of the final samples in `samplesDir`; returns their absolute
 * paths, the side-by-side one (or compare.png) first.
 */
export async function runPictures(samplesDir: string, samples: FinalSample[]): Promise<string[]> {
  const finals = samples.filter((s) => s.role === 'final' && s.path)
  const fileOf = (s: FinalSample) => join(samplesDir, (s.path as string).split('/').pop() as string)
  const csvs = finals.filter((s) => s.path?.endsWith('.csv'))
  if (csvs.length === 0) {
    const pngs = finals.filter((s) => s.path?.endsWith('.png')).map(fileOf)
    const compare = join(samplesDir, 'compare.png')
    return [...(lstatOrNull(compare)?.isFile() ? [compare] : []), ...pngs]
  }
  const points = new Map<FinalSample, Float32Array>()
  for (const s of csvs)
    points.set(s, readPointsCsv((await readRegularFileAsync(fileOf(s), MAX_RUN_FILE_BYTES)).toString('utf8')))
  const data = csvs.find((s) => s.model === 'data')
  const background = data ? (points.get(data) ?? null) : null
  const written: string[] = []
  const panels: Array<{ png: Buffer; caption: string }> = []
  const teacher = csvs.find((s) => s.model === 'teacher')
  // The student at its fewest steps and the next (1 and 2): what one more step buys is the first question.
  const students = csvs.filter((s) => s.model === 'student').sort((a, b) => a.nfe - b.nfe)
  for (const s of [data, teacher, ...students.slice(0, 2)]) {
    if (s)
      panels.push({
        png: scatterPng(points.get(s) as Float32Array, { size: PANEL, background: s === data ? null : background }),
        caption: captionOf(s),
      })
  }
  if (panels.length > 0) {
    const path = join(samplesDir, SIDE_BY_SIDE)
    writeRunFile(path, sideBySide(panels))
    written.push(path)
  }
  for (const s of csvs) {
    const path = fileOf(s).replace(/\.csv$/, '.png')
    writeRunFile(path, scatterPng(points.get(s) as Float32Array, { background: s === data ? null : background }))
    written.push(path)
  }
  return written
}

/** What a panel shows, in words: a picture without them leaves people guessing which is the student. */
function captionOf(s: FinalSample): string {
  const steps = `${s.nfe} step${s.nfe === 1 ? '' : 's'}`
  return s.model === 'data' ? 'held-out data' : s.model === 'teacher' ? `teacher, ${steps}` : `student, ${steps}`
}

/** Square PNG panels of one size in a row, with grey gaps between them, each captioned above. */
function sideBySide(panels: Array<{ png: Buffer; caption: string }>): Buffer {
  const images = panels.map((p) => PNG.sync.read(p.png))
  const size = (images[0] as PNG).height
  const out = new PNG({ width: images.length * size + (images.length - 1) * GAP, height: CAPTION_HEIGHT + size })
  // Grey gaps, so the white panels read as separate plots; white behind the captions.
  for (let i = 0; i < out.data.length; i += 4)
    out.data.set(i < 4 * out.width * CAPTION_HEIGHT ? [255, 255, 255, 255] : [220, 220, 220, 255], i)
  images.forEach((image, i) => {
    const left = i * (size + GAP)
    PNG.bitblt(image, out, 0, 0, size, size, left, CAPTION_HEIGHT)
    const caption = (panels[i] as { caption: string }).caption
    const x = left + Math.max(0, Math.round((size - textWidth(caption, CAPTION_SCALE)) / 2))
    const y = Math.round((CAPTION_HEIGHT - GLYPH_HEIGHT * CAPTION_SCALE) / 2)
    drawText(caption, x, y, CAPTION_SCALE, (px, py) => {
      if (px >= 0 && px < out.width && py >= 0 && py < CAPTION_HEIGHT)
        out.data.set(CAPTION_INK, 4 * (py * out.width + px))
    })
  })
  return PNG.sync.write(out)
}
