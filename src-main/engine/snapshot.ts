/**
 * What a checkpoint holds, in plain form: a JSON-able header and named float32 arrays. The engine makes
 * and reads these; turning them into bytes and files happens outside the engine (src-main/files).
 */
import type { RngState } from '@shared/rng'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import type { NamedArray, WeightArrays } from './weights'

export interface RngSnapshot {
  state: RngState
  spareNormal: number | null
}

export interface TeacherHeader {
  kind: 'teacher'
  config: TeacherConfig
  step: number
  rng: RngSnapshot | null
  adamStep: number | null
  backend: string
}

export interface DistillHeader {
  kind: 'distill'
  config: DistillConfig
  teacherConfig: TeacherConfig
  step: number
  rng: RngSnapshot
  adamStep: number
  backend: string
  /** The replay reservoir's first step when not 0 (a branch that changed the solves kept; absent before). */
  replayFirstStep?: number
}

export type SnapshotHeader = TeacherHeader | DistillHeader

export interface Snapshot<H extends SnapshotHeader = SnapshotHeader> {
  header: H
  /** Keys are `<set>/<name>`, e.g. `student/layer0.W`, `adam.m/layer0.W`. */
  arrays: Record<string, NamedArray>
}

export function prefixArrays(prefix: string, arrays: WeightArrays): Record<string, NamedArray> {
  return Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${prefix}/${k}`, v]))
}

export function pickArrays(prefix: string, arrays: Record<string, NamedArray>): WeightArrays {
  const out: WeightArrays = {}
  for (const [k, v] of Object.entries(arrays)) {
    if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = v
  }
  return out
}
