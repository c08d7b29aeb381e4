/**
 * Teacher files: the built-in teachers in resources/teachers (made by `npm run make-teachers`) and
 * teacher checkpoints given by path, read and checked without tfjs, so the commands and services that only
 * list, check or copy teachers start without loading it (teachers.ts builds their tensors).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { isDataset2D } from '@shared/data/dataset-ref'
import type { Dataset2D } from '@shared/data/datasets2d'
import type { Snapshot, TeacherHeader } from '../engine/snapshot'
import { readRegularFileAsync, UnsafePathError } from './safe-fs'
import { CheckpointError, decodeCheckpoint, readCheckpoint } from './checkpoint-file'

export const RESOURCES_DIR = fileURLToPath(new URL('../../resources/', import.meta.url))

export function builtinTeacherPath(dataset: Dataset2D): string {
  return join(RESOURCES_DIR, 'teachers', `${dataset}.ckpt`)
}

export class TeacherFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TeacherFileError'
  }
}

export function readTeacherSnapshot(path: string): Snapshot<TeacherHeader> {
  const snapshot = readCheckpoint(path)
  if (snapshot.header.kind !== 'teacher')
    throw new CheckpointError(path, `is a ${snapshot.header.kind} checkpoint, not a teacher`)
  return snapshot as Snapshot<TeacherHeader>
}

export interface TeacherFile {
  path: string
  snapshot: Snapshot<TeacherHeader>
}

/** Reads and checks a teacher file without touching tfjs. `spec` is `builtin` or a path. */
export function readTeacherFile(spec: string, dataset: string): TeacherFile {
  const path = teacherFilePath(spec, dataset)
  return checkedTeacherFile(path, readTeacherSnapshot(path), dataset)
}

/** The largest teacher checkpoint read for a check (a CIFAR U-Net with its optimizer state is far below). */
export const MAX_TEACHER_BYTES = 512 << 20

/**
 * As readTeacherFile, for paths from outside (an API payload, a stored config): read asynchronously, only a
 * regular file, at most MAX_TEACHER_BYTES; a problem is a TeacherFileError naming the file.
 */
export async function readTeacherFileAsync(spec: string, dataset: string): Promise<TeacherFile> {
  const path = teacherFilePath(spec, dataset)
  let bytes: Buffer
  try {
    // A teacher the user named may be reached through a link (history files may not).
    bytes = await readRegularFileAsync(path, MAX_TEACHER_BYTES, { followLinks: true })
  } catch (error) {
    throw new TeacherFileError(`checkpoint ${teacherReadProblem(path, error)}`)
  }
  const snapshot = decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path)
  if (snapshot.header.kind !== 'teacher')
    throw new CheckpointError(path, `is a ${snapshot.header.kind} checkpoint, not a teacher`)
  return checkedTeacherFile(path, snapshot as Snapshot<TeacherHeader>, dataset)
}

/** Why a teacher file could not be read, as the teacher's messages say it. */
function teacherReadProblem(path: string, error: unknown): string {
  if (!(error instanceof UnsafePathError)) return `${path} cannot be read (${(error as Error).message})`
  switch (error.refusal) {
    case 'missing':
      return `${path} does not exist`
    case 'not-a-file':
      return `${path} is not a regular file`
    case 'too-large':
    case 'unreadable':
      return `${path} ${error.reason}`
    default:
      return error.message
  }
}

/** Where `builtin` or a path points (the built-in teacher of a 2D dataset, checked to exist). */
function teacherFilePath(spec: string, dataset: string): string {
  if (spec === 'builtin' && !isDataset2D(dataset)) {
    throw new TeacherFileError(
      `there is no built-in teacher for the image dataset ${dataset}; train one (clab teacher --dataset …) and pass its id or checkpoint`,
    )
  }
  const path = spec === 'builtin' ? builtinTeacherPath(dataset as Dataset2D) : spec
  if (spec === 'builtin' && !existsSync(path)) {
    throw new TeacherFileError(`no built-in teacher for ${dataset} at ${path}; run \`npm run make-teachers\``)
  }
  return path
}

function checkedTeacherFile(path: string, snapshot: Snapshot<TeacherHeader>, dataset: string): TeacherFile {
  const { config } = snapshot.header
  if (config.dataset !== dataset) {
    throw new TeacherFileError(`teacher ${path} was trained on ${config.dataset}, not ${dataset}`)
  }
  return { path, snapshot }
}
