/**
 * Where a teacher's quality (#17) is kept: beside a built-in teacher's weights in resources/teachers
 * (`<dataset>.quality.json`, written by the make-teachers script), and for the history's own teachers in
 * their folder, `<data>/teachers/<id>/quality.json` (removed with it). Reading never throws: a missing or
 * damaged file reads as "not measured".
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Dataset2D } from '@shared/data/datasets2d'
import { asTeacherQuality, type TeacherQuality } from '@shared/store/teacher-quality'
import { RESOURCES_DIR } from './teacher-file'

export function builtinQualityPath(dataset: Dataset2D): string {
  return join(RESOURCES_DIR, 'teachers', `${dataset}.quality.json`)
}

export function teacherQualityPath(teacherFolder: string): string {
  return join(teacherFolder, 'quality.json')
}

const fingerprints = new Map<string, { key: string; value: { bytes: number; sha256: string } }>()

/** Size and SHA-256 of a checkpoint, cached while its size and mtime stay the same; null when unreadable. */
export function checkpointFingerprint(path: string): { bytes: number; sha256: string } | null {
  try {
    const stat = statSync(path)
    const key = `${stat.size}:${stat.mtimeMs}`
    const cached = fingerprints.get(path)
    if (cached?.key === key) return cached.value
    const value = { bytes: stat.size, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') }
    fingerprints.set(path, { key, value })
    return value
  } catch {
    return null
  }
}

/**
 * The quality stored at `path`, or null: none, damaged, or measured on other weights than those now at
 * `weightsPath` (a re-made built-in teacher must be measured again).
 */
export function readTeacherQuality(path: string, weightsPath?: string): TeacherQuality | null {
  const quality = readQualityFile(path)
  if (!quality?.checkpoint || weightsPath === undefined) return quality
  return checkpointFingerprint(weightsPath)?.sha256 === quality.checkpoint.sha256 ? quality : null
}

function readQualityFile(path: string): TeacherQuality | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  try {
    return asTeacherQuality(JSON.parse(text))
  } catch {
    return null
  }
}

/** Writes the file whole or not at all (a temporary file renamed over it). */
export function writeTeacherQuality(path: string, quality: TeacherQuality): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(quality)}\n`)
  renameSync(temp, path)
}
