/**
 * Dumps what torch_teacher.py trains and scores on, per dataset, into $CLAB_CROSSCHECK_DIR/teacher/<dataset>/:
 *   pool.f32     4,000,000 training points, dataSource2D(ds).train(n, Rng.fromSeed(0, STREAM_TRAIN))
 *   heldout.f32  the held-out 4000 points a teacher run scores against (heldOut(4000, seed 0))
 * usage: npx tsx scripts/torch-crosscheck/teacher-pool.ts [datasets,comma,separated]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { DATASETS_2D, STREAM_TRAIN, isDataset2D } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'
import { dataSource2D } from '../../src-main/engine/data-source'

const OUT = join(process.env.CLAB_CROSSCHECK_DIR ?? join(tmpdir(), 'clab-torch-crosscheck'), 'teacher')
const buf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
for (const ds of (process.argv[2] ?? DATASETS_2D.join(',')).split(',')) {
  if (!isDataset2D(ds)) throw new Error(`unknown dataset ${ds}`)
  const dir = join(OUT, ds)
  mkdirSync(dir, { recursive: true })
  const data = dataSource2D(ds)
  writeFileSync(join(dir, 'pool.f32'), buf(data.train(4_000_000, Rng.fromSeed(0, STREAM_TRAIN))))
  writeFileSync(join(dir, 'heldout.f32'), buf(data.heldOut(4000, 0)))
  console.log(`${ds} -> ${dir}`)
}
