/**
 * Metric series: batched appends, full reads for export, exact downsampled reads for charts.
 *
 * Layout (migration 002): `metric_series` (one row per run and key, with its last point), `metric_points`
 * (series_id, step) → value, and `metric_blocks`, summaries of up to BLOCK_SIZE consecutive points.
 * Appends in increasing step order (the normal case) extend the series' last block in memory and write
 * the blocks they touch. Points at or before the series' last step replace stored points with the same
 * step and rebuild the blocks from there (correct, slower; a resumed run should first call
 * deleteMetricsAfter(checkpoint step)).
 */
import type { Database } from 'better-sqlite3'
import type { DownsampleQuery, LastMetric, MetricBucket, MetricPoint, SeriesPoint } from '@shared/store/types'
import { BucketFolder, BucketGrid, type Summary } from './downsample'
import { RunNotFoundError, StoreInputError } from './errors'
import { type Column, groupByKey } from './metric-columns'
import { StatementCache, fromDb, writing } from './sql'

export const BLOCK_SIZE = 64

/**
 * A series with at most this many points per requested bucket is downsampled in one pass over its raw
 * points (cheap when small); larger ones use the blocks, in SQL.
 */
const RAW_PASS_POINTS_PER_BUCKET = 4

/** More buckets than any chart needs; bounds the work of one query. */
export const MAX_BUCKETS = 100_000

export interface SeriesInfo {
  key: string
  count: number
  firstStep: number | null
  lastStep: number | null
  lastValue: number | null
}

export interface DownsampleOptions extends DownsampleQuery {
  /** Test hook: force reading raw points or blocks (default: by series size). */
  strategy?: 'auto' | 'raw' | 'blocks'
}

interface SeriesRow {
  id: number
  count: number
  first_step: number | null
  last_step: number | null
}

type BlockRow = [
  firstStep: number,
  lastStep: number,
  count: number,
  first: number | null,
  last: number | null,
  min: number | null,
  max: number | null,
]

const summaryOfRow = (r: BlockRow): Summary => ({
  firstStep: r[0],
  lastStep: r[1],
  count: r[2],
  first: r[3],
  last: r[4],
  min: r[5],
  max: r[6],
})

/** Extends `block` (or starts one) with a point; returns the block that now holds it. */
function extend(block: Summary | undefined, step: number, value: number | null): Summary {
  if (block === undefined || block.count >= BLOCK_SIZE) {
    return { firstStep: step, lastStep: step, count: 1, first: value, last: value, min: value, max: value }
  }
  block.count++
  block.lastStep = step
  block.last = value
  if (value !== null) {
    if (block.min === null || value < block.min) block.min = value
    if (block.max === null || value > block.max) block.max = value
  }
  return block
}

export class MetricsRepo {
  private readonly stmts: StatementCache

  constructor(private readonly db: Database) {
    this.stmts = new StatementCache(db)
  }

  /**
   * Appends points in one transaction (all or nothing). A point whose step already exists in its series
   * replaces it. Throws RunNotFoundError, StorageFullError (rolled back), StoreInputError.
   * Returns the number of points written.
   */
  appendMetrics(runId: string, points: readonly MetricPoint[], now: number = Date.now()): number {
    const byKey = groupByKey(points, now)
    if (byKey.size === 0) return 0
    const append = this.db.transaction(() => {
      if (this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined) throw new RunNotFoundError(runId)
      for (const [key, column] of byKey) this.appendSeries(this.seriesFor(runId, key), column)
      this.refreshLastMetrics(runId)
    })
    writing(this.db, () => append.immediate())
    return points.length
  }

  private seriesFor(runId: string, key: string): SeriesRow {
    const select = this.stmts.get(
      'SELECT id, count, first_step, last_step FROM metric_series WHERE run_id = ? AND key = ?',
    )
    let row = select.get(runId, key) as SeriesRow | undefined
    if (row === undefined) {
      this.stmts.get('INSERT INTO metric_series (run_id, key) VALUES (?, ?)').run(runId, key)
      row = select.get(runId, key) as SeriesRow
    }
    return row
  }

  private appendSeries(series: SeriesRow, column: Column): void {
    const { steps, values, walls } = column
    const n = steps.length
    const inOrder = series.last_step === null || (steps[0] as number) > series.last_step
    if (!inOrder) {
      const replace = this.stmts.get(
        'INSERT OR REPLACE INTO metric_points (series_id, step, value, wall_ms) VALUES (?, ?, ?, ?)',
      )
      for (let i = 0; i < n; i++) replace.run(series.id, steps[i], values[i], walls[i])
      this.rebuildFrom(series.id, steps[0] as number)
      return
    }

    this.insertPoints(series.id, column)
    const lastRow = this.stmts
      .get(
        'SELECT first_step, last_step, count, first_value, last_value, min_value, max_value FROM metric_blocks WHERE series_id = ? ORDER BY first_step DESC LIMIT 1',
      )
      .raw()
      .get(series.id) as BlockRow | undefined
    let block = lastRow === undefined ? undefined : summaryOfRow(lastRow)
    const touched: Summary[] = []
    for (let i = 0; i < n; i++) {
      const next = extend(block, steps[i] as number, values[i] as number | null)
      if (next !== block) touched.push(next)
      else if (touched.length === 0) touched.push(next)
      block = next
    }
    this.writeBlocks(series.id, touched)
    this.stmts
      .get(
        `UPDATE metric_series SET count = count + @n, first_step = coalesce(first_step, @first),
           last_step = @last, last_value = @value, last_wall_ms = @wall WHERE id = @id`,
      )
      .run({ id: series.id, n, first: steps[0], last: steps[n - 1], value: values[n - 1], wall: walls[n - 1] })
  }

  /** Recomputes the run's cached last metrics (runs.last_metrics_json) from its series. */
  private refreshLastMetrics(runId: string): void {
    this.stmts
      .get(
        `UPDATE runs SET last_metrics_json = (
           SELECT json_group_object(key, json_object('step', last_step, 'value', last_value))
           FROM metric_series WHERE run_id = @runId AND count > 0)
         WHERE id = @runId`,
      )
      .run({ runId })
  }

  /** Multi-row INSERTs: one statement per 64 points keeps the per-call overhead off the ingest path. */
  private insertPoints(seriesId: number, { steps, values, walls }: Column): void {
    const CHUNK = 64
    const n = steps.length
    let i = 0
    if (n >= CHUNK) {
      const many = this.stmts.get(
        `INSERT INTO metric_points (series_id, step, value, wall_ms) VALUES ${'(?, ?, ?, ?), '.repeat(CHUNK - 1)}(?, ?, ?, ?)`,
      )
      const args: (number | null)[] = new Array(CHUNK * 4)
      for (; i + CHUNK <= n; i += CHUNK) {
        for (let j = 0; j < CHUNK; j++) {
          args[4 * j] = seriesId
          args[4 * j + 1] = steps[i + j] as number
          args[4 * j + 2] = values[i + j] as number | null
          args[4 * j + 3] = walls[i + j] as number
        }
        many.run(args)
      }
    }
    const one = this.stmts.get('INSERT INTO metric_points (series_id, step, value, wall_ms) VALUES (?, ?, ?, ?)')
    for (; i < n; i++) one.run(seriesId, steps[i], values[i], walls[i])
  }

  private writeBlocks(seriesId: number, blocks: readonly Summary[]): void {
    const put = this.stmts.get(
      `INSERT OR REPLACE INTO metric_blocks (series_id, first_step, last_step, count, first_value, last_value, min_value, max_value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    for (const b of blocks) put.run(seriesId, b.firstStep, b.lastStep, b.count, b.first, b.last, b.min, b.max)
  }

  /** Recomputes the blocks and the series' summary from the block holding `step` onwards. */
  private rebuildFrom(seriesId: number, step: number): void {
    const start = this.stmts
      .get('SELECT max(first_step) FROM metric_blocks WHERE series_id = ? AND first_step <= ?')
      .pluck()
      .get(seriesId, step) as number | null
    const from = start ?? -1
    this.stmts.get('DELETE FROM metric_blocks WHERE series_id = ? AND first_step >= ?').run(seriesId, from)
    const rows = this.stmts
      .get('SELECT step, value FROM metric_points WHERE series_id = ? AND step >= ? ORDER BY step')
      .raw()
      .iterate(seriesId, from) as IterableIterator<[number, number | null]>
    let block: Summary | undefined
    const blocks: Summary[] = []
    for (const [s, v] of rows) {
      const next = extend(block, s, v)
      if (next !== block) blocks.push(next)
      block = next
    }
    this.writeBlocks(seriesId, blocks)
    this.stmts
      .get(
        `UPDATE metric_series SET
           count = (SELECT coalesce(sum(count), 0) FROM metric_blocks WHERE series_id = @id),
           first_step = (SELECT min(first_step) FROM metric_blocks WHERE series_id = @id),
           last_step = p.step, last_value = p.value, last_wall_ms = p.wall_ms
         FROM (SELECT max(step) AS step, value, wall_ms FROM metric_points WHERE series_id = @id) AS p
         WHERE id = @id`,
      )
      .run({ id: seriesId })
  }

  /**
   * Deletes every point after `step` in all the run's series (before resuming from a checkpoint at
   * `step`). Returns the number of points deleted.
   */
  deleteMetricsAfter(runId: string, step: number): number {
    const remove = this.db.transaction(() => {
      this.mustExist(runId)
      const ids = this.stmts.get('SELECT id FROM metric_series WHERE run_id = ?').pluck().all(runId) as number[]
      let deleted = 0
      for (const id of ids) {
        const info = this.stmts.get('DELETE FROM metric_points WHERE series_id = ? AND step > ?').run(id, step)
        deleted += info.changes
        if (info.changes > 0) this.rebuildFrom(id, step)
      }
      this.refreshLastMetrics(runId)
      return deleted
    })
    return writing(this.db, () => remove.immediate())
  }

  /** The run's series with their sizes and last points. */
  listSeries(runId: string): SeriesInfo[] {
    const rows = this.stmts
      .get('SELECT key, count, first_step, last_step, last_value FROM metric_series WHERE run_id = ? ORDER BY key')
      .all(runId) as {
      key: string
      count: number
      first_step: number | null
      last_step: number | null
      last_value: number | null
    }[]
    if (rows.length === 0) this.mustExist(runId)
    return rows.map((r) => ({
      key: r.key,
      count: r.count,
      firstStep: r.first_step,
      lastStep: r.last_step,
      lastValue: r.last_step === null ? null : fromDb(r.last_value),
    }))
  }

  /** The last point of each series of the run. */
  lastMetrics(runId: string): Record<string, LastMetric> {
    const out: Record<string, LastMetric> = {}
    for (const s of this.listSeries(runId)) {
      if (s.lastStep !== null) out[s.key] = { step: s.lastStep, value: s.lastValue ?? Number.NaN }
    }
    return out
  }

  /** Every point of a series in step order (export). Unknown key → []. */
  readSeries(runId: string, key: string, range: { fromStep?: number; toStep?: number } = {}): SeriesPoint[] {
    const read = this.db.transaction(() => {
      const series = this.findSeries(runId, key)
      if (series === undefined) return []
      const rows = this.stmts
        .get(
          'SELECT step, value, wall_ms FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step',
        )
        .raw()
        .all(series.id, range.fromStep ?? 0, range.toStep ?? Number.MAX_SAFE_INTEGER) as [
        number,
        number | null,
        number,
      ][]
      return rows.map(([step, value, wallMs]) => ({ step, value: fromDb(value), wallMs }))
    })
    return read()
  }

  /**
   * The series cut into `buckets` equal step ranges over [fromStep, toStep], each with the exact count,
   * first, last, min and max of its points (see MetricBucket). Empty buckets are omitted. Unknown key → [].
   */
  readDownsampled(runId: string, key: string, options: DownsampleOptions): MetricBucket[] {
    const n = options.buckets
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_BUCKETS)
      throw new StoreInputError(`buckets must be an integer from 1 to ${MAX_BUCKETS} (got ${n})`)
    for (const [name, v] of [
      ['fromStep', options.fromStep],
      ['toStep', options.toStep],
    ] as const) {
      if (v !== undefined && !Number.isSafeInteger(v))
        throw new StoreInputError(`${name} must be an integer (got ${v})`)
    }
    // One read transaction: a consistent snapshot even while another connection appends.
    const read = this.db.transaction((): MetricBucket[] => {
      const series = this.findSeries(runId, key)
      if (series === undefined || series.first_step === null || series.last_step === null) return []
      const from = options.fromStep ?? series.first_step
      const to = options.toStep ?? series.last_step
      if (from > to) return []
      const folder = new BucketFolder(new BucketGrid(from, to, n))
      const strategy = options.strategy ?? 'auto'
      if (strategy === 'raw' || (strategy === 'auto' && series.count <= RAW_PASS_POINTS_PER_BUCKET * n))
        this.foldRaw(series.id, from, to, folder)
      else this.foldBlocks(series.id, from, to, folder)
      const wallAt = this.stmts.get('SELECT wall_ms FROM metric_points WHERE series_id = ? AND step = ?').pluck()
      for (const bucket of folder.out) bucket.lastWallMs = wallAt.get(series.id, bucket.lastStep) as number
      return folder.out
    })
    return read()
  }

  private foldRaw(seriesId: number, from: number, to: number, folder: BucketFolder): void {
    const rows = this.stmts
      .get('SELECT step, value FROM metric_points WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step')
      .raw()
      .all(seriesId, from, to) as [number, number | null][]
    for (const [step, value] of rows) folder.addPoint(step, value)
  }

  /**
   * Exact buckets computed inside SQLite, one row per bucket: for bucket [s, e], the blocks lying wholly
   * inside it give count/min/max, the raw points of the (at most two) blocks straddling its edges are
   * scanned, and the first and last points are index seeks. About P/64 + 64·buckets rows are visited
   * instead of P, and only one row per bucket crosses into JavaScript. Aggregates travel as JSON arrays
   * (SQLite prints REALs with 17 significant digits, so doubles round-trip exactly).
   */
  private foldBlocks(seriesId: number, from: number, to: number, folder: BucketFolder): void {
    const rows = this.stmts
      .get(
        `WITH RECURSIVE
           p(id, f0, span, n) AS (SELECT CAST(@id AS INTEGER), CAST(@from AS INTEGER), CAST(@span AS INTEGER), CAST(@n AS INTEGER)),
           b(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM b, p WHERE i + 1 < p.n),
           g(i, s, e) AS (SELECT i, f0 + (i * span + n - 1) / n, f0 + ((i + 1) * span + n - 1) / n - 1 FROM b, p),
           k AS MATERIALIZED (
             SELECT i, s, e,
               (SELECT min(first_step) FROM metric_blocks WHERE series_id = @id AND first_step BETWEEN g.s AND g.e AND last_step <= g.e) AS l,
               (SELECT max(last_step) FROM metric_blocks WHERE series_id = @id AND first_step BETWEEN g.s AND g.e AND last_step <= g.e) AS r
             FROM g)
         SELECT i,
           (SELECT json_array(step, value) FROM metric_points WHERE series_id = @id AND step BETWEEN k.s AND k.e ORDER BY step LIMIT 1) AS head,
           (SELECT json_array(step, value) FROM metric_points WHERE series_id = @id AND step BETWEEN k.s AND k.e ORDER BY step DESC LIMIT 1) AS tail,
           (SELECT json_array(sum(c), min(lo), max(hi)) FROM (
              SELECT count AS c, min_value AS lo, max_value AS hi FROM metric_blocks
                WHERE series_id = @id AND first_step BETWEEN k.s AND k.e AND last_step <= k.e
              UNION ALL SELECT 1, value, value FROM metric_points WHERE series_id = @id AND step BETWEEN k.s AND coalesce(k.l - 1, k.e)
              UNION ALL SELECT 1, value, value FROM metric_points WHERE series_id = @id AND k.r IS NOT NULL AND step BETWEEN k.r + 1 AND k.e
           )) AS agg
         FROM k`,
      )
      .raw()
      .all({ id: seriesId, from, span: to - from + 1, n: folder.grid.n }) as [
      number,
      string | null,
      string | null,
      string,
    ][]
    for (const [index, head, tail, agg] of rows) {
      if (head === null || tail === null) continue
      const [firstStep, first] = JSON.parse(head) as [number, number | null]
      const [lastStep, last] = JSON.parse(tail) as [number, number | null]
      const [count, min, max] = JSON.parse(agg) as [number, number | null, number | null]
      folder.addBucket(index, { firstStep, lastStep, count, first, last, min, max })
    }
  }

  private findSeries(runId: string, key: string): SeriesRow | undefined {
    const row = this.stmts
      .get('SELECT id, count, first_step, last_step FROM metric_series WHERE run_id = ? AND key = ?')
      .get(runId, key) as SeriesRow | undefined
    if (row === undefined) this.mustExist(runId)
    return row
  }

  private mustExist(runId: string): void {
    if (this.stmts.get('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined) throw new RunNotFoundError(runId)
  }
}
