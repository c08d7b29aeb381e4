/**
 * Samples of a run at a step and NFE, drawn from a recorded noise seed: a file under `runs/<id>/`
 * (path relative to the run folder) or a small blob stored in the database.
 */
import { isAbsolute } from 'node:path'
import type { Database } from 'better-sqlite3'
import { SAMPLE_ROLES, type SampleRecord, type SampleRole } from '@shared/store/types'
import { RunNotFoundError, StoreInputError, isForeignKeyError } from './errors'
import { StatementCache, writing } from './sql'

/** Larger samples belong in files (runs/<id>/samples/). */
export const MAX_SAMPLE_BLOB_BYTES = 1 << 20

export interface SampleInput {
  step: number
  nfe: number
  /** The format: points2d (float32 blob), csv2d (file) or png. */
  kind: string
  /** Which network drew it: student, teacher or data. */
  model: string
  /** A live preview or the final evaluation's samples. */
  role: SampleRole
  noiseSeed: number
  /** Relative to the run folder, e.g. `samples/step-1000-nfe1.bin`. */
  path?: string
  data?: Uint8Array
  now?: number
}

interface SampleRow {
  id: number
  run_id: string
  step: number
  nfe: number
  kind: string
  model: string
  path: string | null
  bytes: number | null
  has_blob: number
  noise_seed: number
  role: SampleRole
  created_at: number
}

function checkRelative(path: string): void {
  if (path === '' || isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
    throw new StoreInputError(`file path ${JSON.stringify(path)} must be relative to the run folder, without '..'`)
  }
}

export class SamplesRepo {
  private readonly stmts: StatementCache

  constructor(private readonly db: Database) {
    this.stmts = new StatementCache(db)
  }

  addSample(runId: string, sample: SampleInput): SampleRecord {
    if ((sample.path === undefined) === (sample.data === undefined))
      throw new StoreInputError('a sample has either a path or data, not both')
    if (sample.path !== undefined) checkRelative(sample.path)
    if (sample.data !== undefined && sample.data.byteLength > MAX_SAMPLE_BLOB_BYTES) {
      throw new StoreInputError(
        `sample blob of ${sample.data.byteLength} bytes is over ${MAX_SAMPLE_BLOB_BYTES}: write it to runs/<id>/samples/ instead`,
      )
    }
    for (const [name, v] of [
      ['step', sample.step],
      ['nfe', sample.nfe],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new StoreInputError(`sample ${name} must be a non-negative integer (got ${v})`)
    }
    if (!SAMPLE_ROLES.includes(sample.role))
      throw new StoreInputError(
        `sample role must be one of ${SAMPLE_ROLES.join(', ')} (got ${JSON.stringify(sample.role)})`,
      )
    if (!Number.isSafeInteger(sample.noiseSeed))
      throw new StoreInputError(`sample noiseSeed must be an integer (got ${sample.noiseSeed})`)
    try {
      const info = writing(this.db, () =>
        this.stmts
          .get(
            'INSERT INTO samples (run_id, step, nfe, kind, model, role, path, data, noise_seed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            runId,
            sample.step,
            sample.nfe,
            sample.kind,
            sample.model,
            sample.role,
            sample.path ?? null,
            sample.data === undefined
              ? null
              : Buffer.from(sample.data.buffer, sample.data.byteOffset, sample.data.byteLength),
            sample.noiseSeed,
            sample.now ?? Date.now(),
          ),
      )
      return this.getSample(Number(info.lastInsertRowid)) as SampleRecord
    } catch (error) {
      if (isForeignKeyError(error)) throw new RunNotFoundError(runId)
      throw error
    }
  }

  private getSample(id: number): SampleRecord | undefined {
    const row = this.stmts.get(`${SELECT} WHERE id = ?`).get(id) as SampleRow | undefined
    return row === undefined ? undefined : recordOf(row)
  }

  /** One sample by id, or undefined. */
  findSample(id: number): SampleRecord | undefined {
    return this.getSample(id)
  }

  listSamples(runId: string, filter: { step?: number; nfe?: number; model?: string } = {}): SampleRecord[] {
    const rows = this.stmts
      .get(
        `${SELECT} WHERE run_id = @runId AND (@step IS NULL OR step = @step) AND (@nfe IS NULL OR nfe = @nfe) AND (@model IS NULL OR model = @model) ORDER BY step, nfe, id`,
      )
      .all({ runId, step: filter.step ?? null, nfe: filter.nfe ?? null, model: filter.model ?? null }) as SampleRow[]
    if (rows.length === 0 && this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined)
      throw new RunNotFoundError(runId)
    return rows.map(recordOf)
  }

  /** Forgets the samples drawn after `step` (a run continued from a checkpoint at `step`, or restarted at -1). */
  deleteSamplesAfter(runId: string, step: number): number {
    return writing(this.db, () => this.stmts.get('DELETE FROM samples WHERE run_id = ? AND step > ?').run(runId, step))
      .changes
  }

  /** The blob of a sample stored in the database, or undefined (no such sample, or it is a file). */
  readBlob(sampleId: number): Uint8Array | undefined {
    const data = this.stmts.get('SELECT data FROM samples WHERE id = ?').pluck().get(sampleId) as
      Buffer | null | undefined
    return data == null ? undefined : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  }
}

const SELECT =
  'SELECT id, run_id, step, nfe, kind, model, path, length(data) AS bytes, data IS NOT NULL AS has_blob, noise_seed, role, created_at FROM samples'

function recordOf(r: SampleRow): SampleRecord {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    nfe: r.nfe,
    kind: r.kind,
    model: r.model,
    role: r.role,
    path: r.path,
    hasBlob: r.has_blob === 1,
    bytes: r.bytes,
    noiseSeed: r.noise_seed,
    createdAt: r.created_at,
  }
}
