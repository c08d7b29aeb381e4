/**
 * The renderer's side of a teacher's quality (#17): which teacher a run config names, and the thumbnail of its
 * samples over held-out data as dots in a square (the held-out points are regenerated here: the 2D sets are
 * pure functions of the seed).
 */
import { heldOut2D, isDataset2D } from '@shared/data/datasets2d'
import { isBuiltinTeacher, type TeacherRecord } from '@shared/store/types'

/** The listed teacher a config's `teacher` value names (`builtin` = the dataset's shipped one), if listed. */
export function chosenTeacher(teachers: readonly TeacherRecord[], spec: unknown): TeacherRecord | undefined {
  if (typeof spec !== 'string' || spec === '') return undefined
  return teachers.find((t) => (spec === 'builtin' ? isBuiltinTeacher(t) : t.id === spec))
}

export interface Thumbnail {
  /** Held-out data, pixel coordinates in a size x size square. */
  data: Array<[number, number]>
  /** The teacher's samples, same coordinates; those outside the square are counted, not drawn. */
  teacher: Array<[number, number]>
  outside: number
}

/** Held-out points drawn under the samples. */
export const THUMBNAIL_DATA_POINTS = 1000

/** Dots of the thumbnail: the square is the held-out data's box with a 10 % margin. Null for image datasets. */
export function thumbnailDots(dataset: string, samples: readonly number[], size = 120): Thumbnail | null {
  if (!isDataset2D(dataset) || samples.length === 0) return null
  const data = heldOut2D(dataset, THUMBNAIL_DATA_POINTS, 0)
  let minX = Infinity
  let maxX = -Infinity
  let minY = Infinity
  let maxY = -Infinity
  for (let i = 0; i < data.length; i += 2) {
    minX = Math.min(minX, data[i] as number)
    maxX = Math.max(maxX, data[i] as number)
    minY = Math.min(minY, data[i + 1] as number)
    maxY = Math.max(maxY, data[i + 1] as number)
  }
  // One scale for both axes (shapes keep their proportions), centred.
  const span = Math.max(maxX - minX, maxY - minY) * 1.2
  const cx = (minX + maxX) / 2
  const cy = (minY + maxY) / 2
  const px = (x: number, y: number): [number, number] => [
    ((x - cx) / span + 0.5) * size,
    // SVG's y grows downwards.
    (0.5 - (y - cy) / span) * size,
  ]
  const inside = ([x, y]: [number, number]) => x >= 0 && x <= size && y >= 0 && y <= size
  const dots = (points: ArrayLike<number>) => {
    const out: Array<[number, number]> = []
    for (let i = 0; i + 1 < points.length; i += 2) out.push(px(points[i] as number, points[i + 1] as number))
    return out
  }
  const teacher = dots(samples)
  const shown = teacher.filter(inside)
  return { data: dots(data), teacher: shown, outside: teacher.length - shown.length }
}
