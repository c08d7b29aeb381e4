/**
 * Teachers as models: builds a teacher file's tensors (tfjs). Reading and checking the files is teacher-file.ts,
 * re-exported here for the engine side and the scripts.
 */
import type { Dataset2D } from '@shared/data/datasets2d'
import type { DataShape } from '../engine/data-source'
import { pickArrays, type TeacherHeader } from '../engine/snapshot'
import { loadTeacherModel, type TeacherModel } from '../engine/teacher-model'
import { readTeacherFile, type TeacherFile } from './teacher-file'

export * from './teacher-file'

export interface LoadedTeacher {
  model: TeacherModel
  path: string
  header: TeacherHeader
}

/** Builds the teacher's tensors; call after the backend is selected. `data`: the shape of its dataset (2D by default). */
export function teacherFromFile(file: TeacherFile, data?: DataShape): LoadedTeacher {
  const { snapshot, path } = file
  return {
    model: loadTeacherModel(snapshot.header.config, pickArrays('teacher', snapshot.arrays), data),
    path,
    header: snapshot.header,
  }
}

/** `spec` is `builtin` or a path; the teacher must have been trained on `dataset` (a 2D one: images need their shape). */
export function loadTeacher(spec: string, dataset: Dataset2D): LoadedTeacher {
  return teacherFromFile(readTeacherFile(spec, dataset))
}
