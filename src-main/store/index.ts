/**
 * The run history: `openLabStore()` opens `<data>/lab.sqlite` (creating the folder layout) and returns the
 * repositories over one connection. One LabStore per process (main, CLI, serve); the trainer host does not
 * open it, it streams events to main.
 */
import type { Database } from 'better-sqlite3'
import { dataPaths, ensureDataDir, resolveDataDir, type DataDirOptions, type DataPaths } from './data-dir'
import { openDatabase, type OpenDatabaseOptions } from './database'
import { CheckpointsRepo } from './checkpoints-repo'
import { DatasetsRepo } from './datasets-repo'
import { EvaluationsRepo } from './evaluations-repo'
import { MetricsRepo } from './metrics-repo'
import { RunsRepo } from './runs-repo'
import { SamplesRepo } from './samples-repo'
import { TeachersRepo } from './teachers-repo'

export * from './errors'
export * from './data-dir'
export { openDatabase, migrate, userVersion, SCHEMA_VERSION, BUSY_TIMEOUT_MS } from './database'
export { newRunId } from './ids'
export { AmbiguousRunIdError } from './run-id-prefix'
export {
  RunsRepo,
  type CreateRunInput,
  type RunFilter,
  type StatusChange,
  type RecoveryOptions,
  type DeletedRun,
} from './runs-repo'
export { MetricsRepo, BLOCK_SIZE, type SeriesInfo, type DownsampleOptions } from './metrics-repo'
export { EvaluationsRepo, type EvaluationInput } from './evaluations-repo'
export { SamplesRepo, MAX_SAMPLE_BLOB_BYTES, type SampleInput } from './samples-repo'
export { CheckpointsRepo, type CheckpointInput } from './checkpoints-repo'
export { TeachersRepo, type TeacherInput } from './teachers-repo'
export { DatasetsRepo, DatasetNotFoundError, DatasetExistsError, type DatasetInput } from './datasets-repo'

export interface LabStore {
  readonly db: Database
  readonly paths: DataPaths
  readonly runs: RunsRepo
  readonly metrics: MetricsRepo
  readonly teachers: TeachersRepo
  readonly evaluations: EvaluationsRepo
  readonly samples: SamplesRepo
  readonly checkpoints: CheckpointsRepo
  readonly datasets: DatasetsRepo
  /** Checkpoints the WAL into the database file and closes the connection. */
  close(): void
}

export type OpenLabStoreOptions = DataDirOptions & OpenDatabaseOptions

export function openLabStore(options: OpenLabStoreOptions = {}): LabStore {
  const dataDir = resolveDataDir(options)
  ensureDataDir(dataDir)
  const paths = dataPaths(dataDir)
  const db = openDatabase(paths.database, options)
  return {
    db,
    paths,
    runs: new RunsRepo(db, dataDir),
    metrics: new MetricsRepo(db),
    teachers: new TeachersRepo(db),
    evaluations: new EvaluationsRepo(db),
    samples: new SamplesRepo(db),
    checkpoints: new CheckpointsRepo(db),
    datasets: new DatasetsRepo(db),
    close: () => db.close(),
  }
}
