/**
 * The files a training run writes beside its checkpoints: the preview grids of an image run
 * (`previews/step<k>-<model>-nfe<n>.png`, so the UI shows images without numbers crossing the IPC) and the
 * final samples (`<set>.csv` of points or `<set>.png` grids, plus `compare.png`: the same noise through the
 * teacher and the one- and two-step student). Each file is written whole or not at all (writeFileAtomic),
 * and a failure is a RunFileError naming the path, which the engine process reports as an IO failure.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DataShape, ImageShape } from '../engine/data-source'
import { writeFileAtomic } from './checkpoint-file'
import { pointsCsv } from './export-run'
import { comparisonGridPng, imageGridPng } from './image-grid-png'

export class RunFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RunFileError'
  }
}

export function makeRunDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw new RunFileError(`cannot create ${dir}: ${(error as Error).message}`)
  }
}

export function writeRunFile(path: string, bytes: Uint8Array | string): void {
  try {
    writeFileAtomic(path, bytes)
  } catch (error) {
    throw new RunFileError(`cannot write ${path}: ${(error as Error).message}`)
  }
}

/** Images shown per grid (8 x 8). */
const GRID_IMAGES = 64

/** The first GRID_IMAGES images of a set as a PNG grid, 8 per row. */
function gridPng(images: Float32Array, image: ImageShape): Buffer {
  return imageGridPng(images.subarray(0, GRID_IMAGES * image.height * image.width * image.channels), image, {
    columns: 8,
  })
}

/** Writes one preview set of an image run as a grid under `samplesDir/previews`; returns its path. */
export function writePreviewGrid(
  samplesDir: string,
  step: number,
  model: string,
  nfe: number,
  images: Float32Array,
  image: ImageShape,
): string {
  const dir = join(samplesDir, 'previews')
  makeRunDir(dir)
  const path = join(dir, `step${step}-${model}-nfe${nfe}.png`)
  writeRunFile(path, gridPng(images, image))
  return path
}

export type SampleModel = 'data' | 'teacher' | 'student'

export interface WrittenSample {
  path: string
  model: SampleModel
  nfe: number
  /** Set for image grids; 2D points are CSV. */
  kind?: 'png'
}

/**
 * The final samples of a distillation: the held-out data, the teacher at K = 100 and the student at each NFE
 * it was scored at, as CSV files of points or PNG grids of images (then also the comparison grid when there
 * is a one-step sample). `onWritten` hears of each set as soon as its file is there (not of compare.png).
 */
export function writeFinalSamples(
  samplesDir: string,
  data: DataShape,
  reference: { heldOut: Float32Array; k100: Float32Array },
  student: ReadonlyMap<number, Float32Array>,
  onWritten: (sample: WrittenSample) => void,
): void {
  const sets: Array<{ name: string; model: SampleModel; nfe: number; values: Float32Array }> = [
    { name: 'data', model: 'data', nfe: 0, values: reference.heldOut },
    { name: 'teacher-k100', model: 'teacher', nfe: 100, values: reference.k100 },
    ...[...student].map(([nfe, values]) => ({ name: `student-nfe${nfe}`, model: 'student' as const, nfe, values })),
  ]
  const image = data.image
  for (const set of sets) {
    const path = join(samplesDir, `${set.name}.${image ? 'png' : 'csv'}`)
    writeRunFile(path, image ? gridPng(set.values, image) : pointsCsv(set.values, data.dim))
    onWritten({ path, model: set.model, nfe: set.nfe, ...(image ? { kind: 'png' as const } : {}) })
  }
  const oneStep = student.get(1)
  if (image && oneStep) {
    writeRunFile(
      join(samplesDir, 'compare.png'),
      comparisonGridPng({ teacher: reference.k100, oneStep, twoStep: student.get(2) ?? null }, image),
    )
  }
}
