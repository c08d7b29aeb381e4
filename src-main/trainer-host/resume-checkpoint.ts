/**
 * The checkpoint a job resumes (or branches) from, read and checked against the job's config by the rules
 * of @shared/config/resume-rules; every problem is a CHECKPOINT job error naming the file.
 */
import { changedKeys, refusedDistillChanges, refusedTeacherChanges } from '@shared/config/resume-rules'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import type { DistillHeader, Snapshot, SnapshotHeader, TeacherHeader } from '../engine/snapshot'
import { CheckpointError, readCheckpoint } from '../files/checkpoint-file'
import type { TeacherFile } from '../files/teachers'
import { JobError } from './job-error'

function readCheckpointOfKind<H extends SnapshotHeader>(path: string, kind: H['kind'], what: string): Snapshot<H> {
  let snapshot
  try {
    snapshot = readCheckpoint(path)
  } catch (error) {
    if (error instanceof CheckpointError) throw new JobError('CHECKPOINT', error.message)
    throw error
  }
  if (snapshot.header.kind !== kind)
    throw new JobError('CHECKPOINT', `${path} is a ${snapshot.header.kind} checkpoint, not a ${what}`)
  return snapshot as Snapshot<H>
}

export function readDistillResume(
  path: string,
  config: DistillConfig,
  teacher: TeacherFile,
  branch: boolean,
): Snapshot<DistillHeader> {
  const snapshot = readCheckpointOfKind<DistillHeader>(path, 'distill', 'distillation')
  const header = snapshot.header
  const refused = refusedDistillChanges(header.config, config, branch)
  if (refused)
    throw new JobError(
      'CHECKPOINT',
      `${path} was made with a different config (${refused.fields.join(', ')}); ${refused.rule}`,
    )
  const teacherChanged = changedKeys(header.teacherConfig, teacher.snapshot.header.config)
  if (teacherChanged.length > 0) {
    throw new JobError(
      'CHECKPOINT',
      `${path} was distilled from a different teacher than ${teacher.path} (${teacherChanged.join(', ')} differ)`,
    )
  }
  if (header.step > config.steps)
    throw new JobError('CHECKPOINT', `${path} is at step ${header.step}, past config.steps ${config.steps}`)
  return snapshot
}

export function readTeacherResume(path: string, config: TeacherConfig): Snapshot<TeacherHeader> {
  const snapshot = readCheckpointOfKind<TeacherHeader>(path, 'teacher', 'teacher')
  if (snapshot.header.rng === null)
    throw new JobError('CHECKPOINT', `${path} holds weights only (no optimizer state) and cannot be resumed`)
  const changed = refusedTeacherChanges(snapshot.header.config, config)
  if (changed.length > 0)
    throw new JobError('CHECKPOINT', `${path} was made with a different config (${changed.join(', ')})`)
  return snapshot
}
