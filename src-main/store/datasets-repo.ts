/** Imported image datasets (the files are in `datasets/<id>/`; see src-main/data/image-dataset.ts). */
import type { Database } from 'better-sqlite3'
import type { ImageDatasetKind, ImageDatasetMeta, ImageDatasetRecord } from '@shared/data/images'
import { StoreError, StoreInputError, isUniqueError } from './errors'
import { StatementCache, writing } from './sql'

export class DatasetNotFoundError extends StoreError {
  constructor(readonly datasetId: string) {
    super('DATASET_NOT_FOUND', `dataset ${JSON.stringify(datasetId)} does not exist`)
  }
}

/** Another row already holds this content (the caller returns that one: datasets are stored once). */
export class DatasetExistsError extends StoreError {
  constructor(readonly sha256: string) {
    super('DATASET_EXISTS', `a dataset with content sha256 ${sha256} already exists`)
  }
}

export interface DatasetInput {
  id: string
  name: string
  kind: ImageDatasetKind
  /** Folder relative to the data folder: `datasets/<id>`. */
  path: string
  meta: ImageDatasetMeta
  now?: number
}

interface DatasetRow {
  id: string
  name: string
  kind: string
  path: string
  count: number
  height: number
  width: number
  channels: number
  sha256: string
  meta_json: string
  created_at: number
}

const recordOf = (r: DatasetRow): ImageDatasetRecord => ({
  id: r.id,
  name: r.name,
  kind: r.kind as ImageDatasetKind,
  path: r.path,
  count: r.count,
  height: r.height,
  width: r.width,
  channels: r.channels,
  meta: JSON.parse(r.meta_json) as ImageDatasetMeta,
  createdAt: r.created_at,
})

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export class DatasetsRepo {
  private readonly stmts: StatementCache

  constructor(private readonly db: Database) {
    this.stmts = new StatementCache(db)
  }

  /** Inserts the row; DatasetExistsError when the same content (sha256) is already recorded. */
  addDataset(input: DatasetInput): ImageDatasetRecord {
    if (!SAFE_ID.test(input.id) || input.id.includes('..'))
      throw new StoreInputError(`${JSON.stringify(input.id)} is not a valid dataset id`)
    if (!input.name.trim() || !input.path) throw new StoreInputError('a dataset needs a name and a path')
    const { meta } = input
    try {
      writing(this.db, () =>
        this.stmts
          .get(
            `INSERT INTO datasets (id, name, kind, path, count, height, width, channels, sha256, meta_json, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.id,
            input.name,
            input.kind,
            input.path,
            meta.count,
            meta.height,
            meta.width,
            meta.channels,
            meta.sha256,
            JSON.stringify(meta),
            input.now ?? Date.now(),
          ),
      )
    } catch (error) {
      if (isUniqueError(error) && this.findBySha256(meta.sha256)) throw new DatasetExistsError(meta.sha256)
      if (isUniqueError(error)) throw new StoreInputError(`dataset ${JSON.stringify(input.id)} already exists`)
      throw error
    }
    return this.getDataset(input.id)
  }

  findDataset(id: string): ImageDatasetRecord | undefined {
    const row = this.stmts.get('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined
    return row === undefined ? undefined : recordOf(row)
  }

  getDataset(id: string): ImageDatasetRecord {
    const dataset = this.findDataset(id)
    if (dataset === undefined) throw new DatasetNotFoundError(id)
    return dataset
  }

  findBySha256(sha256: string): ImageDatasetRecord | undefined {
    const row = this.stmts.get('SELECT * FROM datasets WHERE sha256 = ?').get(sha256) as DatasetRow | undefined
    return row === undefined ? undefined : recordOf(row)
  }

  /** Newest first. */
  listDatasets(filter: { kind?: string } = {}): ImageDatasetRecord[] {
    const rows = this.stmts
      .get('SELECT * FROM datasets WHERE @kind IS NULL OR kind = @kind ORDER BY created_at DESC, id DESC')
      .all({ kind: filter.kind ?? null }) as DatasetRow[]
    return rows.map(recordOf)
  }

  /** Deletes the row (the caller removes `datasets/<id>/`). */
  deleteDataset(id: string): ImageDatasetRecord {
    const dataset = this.getDataset(id)
    writing(this.db, () => this.stmts.get('DELETE FROM datasets WHERE id = ?').run(id))
    return dataset
  }
}
