/**
 * What a job opens before it trains, each failure a JobError naming what could not be had: its data (a
 * built-in 2D dataset, or the stored images of `image:<id>`, opened here at the edge), the backend, and a
 * distillation's teacher.
 */
import { isDataset2D } from '@shared/data/dataset-ref'
import type { BackendChoice } from '@shared/config/fields'
import { BackendError, selectBackend, type BackendInfo } from '../engine/backend'
import { dataSource2D, imageDataSource, type DataShape, type DataSource } from '../engine/data-source'
import { CheckpointError } from '../files/checkpoint-file'
import {
  readTeacherFile,
  TeacherFileError,
  teacherFromFile,
  type LoadedTeacher,
  type TeacherFile,
} from '../files/teachers'
import { ImageDatasetReader } from '../data/image-dataset'
import { JobError } from './job-error'

export interface OpenData {
  source: DataSource
  /** The stored images (null for 2D data): labels for the classifier, the folder its cache lives in. */
  reader: ImageDatasetReader | null
  close(): void
}

export function openData(dataset: string, datasetDir: string | undefined): OpenData {
  if (isDataset2D(dataset)) return { source: dataSource2D(dataset), reader: null, close: () => {} }
  if (!datasetDir)
    throw new JobError(
      'DATASET',
      `dataset ${dataset} is an image dataset, but the job names no datasetDir to read it from`,
    )
  let reader: ImageDatasetReader
  try {
    reader = ImageDatasetReader.open(datasetDir)
  } catch (error) {
    throw new JobError('DATASET', `dataset ${dataset} cannot be read: ${(error as Error).message}`)
  }
  try {
    return { source: imageDataSource(dataset, reader), reader, close: () => reader.close() }
  } catch (error) {
    reader.close()
    throw new JobError('DATASET', (error as Error).message)
  }
}

/** `data` decides the wasm threads (see defaultWasmThreads): the U-Net's for images, the MLP's for 2D. */
export async function pickBackend(choice: BackendChoice, data: DataShape): Promise<BackendInfo> {
  try {
    return await selectBackend(choice, { model: data.image ? 'unet' : 'mlp' })
  } catch (error) {
    if (error instanceof BackendError) throw new JobError('BACKEND', error.message)
    throw error
  }
}

export function readTeacher(path: string, dataset: string): TeacherFile {
  try {
    return readTeacherFile(path, dataset)
  } catch (error) {
    if (error instanceof TeacherFileError || error instanceof CheckpointError)
      throw new JobError('TEACHER', error.message)
    throw error
  }
}

export function loadTeacher(file: TeacherFile, data: DataSource): LoadedTeacher {
  try {
    return teacherFromFile(file, data)
  } catch (error) {
    throw new JobError('TEACHER', `teacher ${file.path} cannot be loaded: ${(error as Error).message}`)
  }
}
