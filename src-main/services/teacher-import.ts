/**
 * A teacher checkpoint file into the history, all or nothing: read once (a regular file, no link, within
 * the size cap), checked (a teacher checkpoint whose weights are the network its config describes), written
 * to a temporary folder in teachers/, then registered in one transaction whose last step renames that
 * folder to teachers/<id>. A refused or failed import leaves no row and no file. The file is read and
 * written asynchronously: a server importing a large checkpoint keeps answering its other clients.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, renameSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { TeacherConfig } from '@shared/config/schemas'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import type { TeacherRecord } from '@shared/store/types'
import { CheckpointError, decodeCheckpoint } from '../files/checkpoint-file'
import {
  IMPORT_TEMP_PREFIX,
  readRegularFileAsync,
  removeStaleFolders,
  STALE_IMPORT_MS,
  UnsafePathError,
  writeNewFileAsync,
} from '../files/safe-fs'
import { checkTeacherWeights } from '../files/teacher-weights'
import { MAX_TEACHER_BYTES } from '../files/teacher-file'
import type { ImageShape } from '../engine/data-source'
import type { TeacherHeader } from '../engine/snapshot'
import { newRunId, teacherDir, translateSqliteError, type LabStore } from '../store'

/** The image shape of the teacher's dataset when this history holds it (null: 2D, or not imported here). */
function imageShapeOf(store: LabStore, dataset: string): ImageShape | null {
  if (!isImageDatasetRef(dataset)) return null
  const record = store.datasets.findDataset(imageDatasetId(dataset))
  return record ? { height: record.height, width: record.width, channels: record.channels } : null
}

/** Imports the checkpoint `file`; `nameOf` gives the teacher's name from its config. Refusals are CheckpointErrors naming the file. */
export async function importTeacherFile(
  store: LabStore,
  file: string,
  nameOf: (config: TeacherConfig) => string,
): Promise<TeacherRecord> {
  const source = resolve(file)
  let bytes: Buffer
  try {
    // Never through a link (lstat, then O_NOFOLLOW and the same inode), a regular file, at most the cap.
    bytes = await readRegularFileAsync(source, MAX_TEACHER_BYTES)
  } catch (error) {
    if (error instanceof UnsafePathError) throw new CheckpointError(source, `cannot be read (${error.reason})`)
    throw error
  }
  const snapshot = decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), source)
  if (snapshot.header.kind !== 'teacher')
    throw new CheckpointError(source, `is a ${snapshot.header.kind} checkpoint, not a teacher`)
  const { config } = snapshot.header as TeacherHeader
  checkTeacherWeights(source, config, snapshot.arrays, imageShapeOf(store, config.dataset))

  const id = newRunId()
  const dir = teacherDir(store.paths.root, id)
  removeStaleFolders(store.paths.teachers, IMPORT_TEMP_PREFIX, STALE_IMPORT_MS)
  const temp = join(store.paths.teachers, `${IMPORT_TEMP_PREFIX}${randomUUID()}`)
  let placed = false
  try {
    mkdirSync(temp)
    await writeNewFileAsync(join(temp, 'teacher.ckpt'), bytes)
    const commit = store.db.transaction(() => {
      const record = store.teachers.addTeacher({
        id,
        name: nameOf(config),
        dataset: config.dataset,
        path: relative(store.paths.root, join(dir, 'teacher.ckpt')),
        config,
        notes: `imported from ${source}`,
      })
      // Last, inside the transaction: if the folder cannot take its place, the row rolls back.
      renameSync(temp, dir)
      placed = true
      return record
    })
    try {
      return commit.immediate()
    } catch (error) {
      throw translateSqliteError(error, store.paths.database)
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true })
    if (placed && store.teachers.findTeacher(id) === undefined) await rm(dir, { recursive: true, force: true })
    throw error
  }
}
