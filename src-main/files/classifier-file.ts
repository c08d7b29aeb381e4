/**
 * The classifier an image dataset's Fréchet distances are measured with, cached beside the dataset as
 * `datasets/<id>/classifier.json`: its spec, test accuracy, how it was trained, and its weights (float32,
 * little-endian, base64). Trained once, by the first image run that needs it; written atomically, so a crash
 * leaves either no file or a whole one. A damaged file is reported, never silently retrained over.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { ClassifierSpec } from '../engine/classifier'
import type { WeightArrays } from '../engine/weights'
import { writeFileAtomic } from './checkpoint-file'

export const CLASSIFIER_FILE = 'classifier.json'

export interface ClassifierInfo {
  spec: ClassifierSpec
  /** Fraction of the dataset's held-out images classified correctly. */
  testAccuracy: number
  steps: number
  trainImages: number
  testImages: number
  backend: string
  msPerStep: number
  createdAt: number
}

export class ClassifierFileError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`)
    this.name = 'ClassifierFileError'
  }
}

const count = z.number().int().nonnegative()
const FileSchema = z.object({
  version: z.literal(1),
  spec: z.object({
    height: count,
    width: count,
    channels: count,
    classes: count,
    conv1Channels: count,
    conv2Channels: count,
    featureDim: count,
  }),
  testAccuracy: z.number().min(0).max(1),
  steps: count,
  trainImages: count,
  testImages: count,
  backend: z.string(),
  msPerStep: z.number().nonnegative(),
  createdAt: count,
  weights: z.record(z.string(), z.object({ shape: z.array(count), data: z.string() })),
})

export function classifierPath(datasetDir: string): string {
  return join(datasetDir, CLASSIFIER_FILE)
}

function encode(data: Float32Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')
}

function decode(path: string, name: string, text: string, size: number): Float32Array {
  const bytes = Buffer.from(text, 'base64')
  if (bytes.length !== size * 4)
    throw new ClassifierFileError(path, `weights ${name}: ${bytes.length} bytes, its shape needs ${size * 4}`)
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = bytes.readFloatLE(4 * i)
  return out
}

export function writeClassifierFile(datasetDir: string, info: ClassifierInfo, weights: WeightArrays): string {
  const path = classifierPath(datasetDir)
  const file = {
    version: 1,
    ...info,
    weights: Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, { shape: v.shape, data: encode(v.data) }])),
  }
  writeFileAtomic(path, JSON.stringify(file))
  return path
}

/** The cached classifier of a dataset folder, or null when none was trained yet. */
export function readClassifierFile(
  datasetDir: string,
): { info: ClassifierInfo; weights: WeightArrays; path: string } | null {
  const path = classifierPath(datasetDir)
  if (!existsSync(path)) return null
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ClassifierFileError(
      path,
      `is not readable JSON (${(error as Error).message}); delete it to train the classifier again`,
    )
  }
  const parsed = FileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ClassifierFileError(
      path,
      `${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}; delete it to train the classifier again`,
    )
  }
  const { weights: encoded, version: _version, ...info } = parsed.data
  const weights: WeightArrays = {}
  for (const [name, w] of Object.entries(encoded))
    weights[name] = {
      shape: w.shape,
      data: decode(
        path,
        name,
        w.data,
        w.shape.reduce((a, b) => a * b, 1),
      ),
    }
  return { info, weights, path }
}
