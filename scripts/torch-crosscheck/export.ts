/**
 * Dumps, per dataset, everything the torch loop needs into $CLAB_CROSSCHECK_DIR/<dataset>/ (default: the system temp folder's clab-torch-crosscheck):
 *   layer{i}.W / layer{i}.b  float32 LE teacher weights (W is [in, out])
 *   sigma.f64                our schedule's VE sigma[k], float64
 *   train.f32                3000*1024 training points, dataSource2D(ds).train(1024, rng) x 3000, rng = Rng.fromSeed(0, STREAM_TRAIN):
 *                            the default preset's batches; a batch of 256 (the reference's) takes a quarter of one
 *   evalnoise.f32            evaluationNoise(0, 4000, 2, 7).noise (x_T = sigma[999] * noise)
 *   check_x.f32, check_k.i32, check_eps.f32  port check: eps from our engine on VE inputs x at steps k
 *   meta.json                shapes, teacher config, teacher-100 SWD and data floor, and the default preset
 *                            (DISTILL_DEFAULTS), which torch_cd.py --preset ours runs
 * usage: npx tsx scripts/torch-crosscheck/export.ts [datasets,comma,separated]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { axisStd } from '@shared/cd/metrics'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import { STREAM_TRAIN, isDataset2D } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'
import { selectBackend } from '../../src-main/engine/backend'
import { dataSource2D } from '../../src-main/engine/data-source'
import { epsilon, makeLevels } from '../../src-main/engine/denoiser'
import { evaluationNoise, teacherReference } from '../../src-main/engine/evaluate'
import { tf, type Tensor2D } from '../../src-main/engine/tf'
import { loadTeacher } from '../../src-main/files/teachers'

const OUT = process.env.CLAB_CROSSCHECK_DIR ?? join(tmpdir(), 'clab-torch-crosscheck')
const datasets = (process.argv[2] ?? 'moons,8gaussians,checkerboard').split(',')
const STEPS = 3000
const BATCH = 256
/** Points per step in the pool: the default preset's batch (DISTILL_DEFAULTS.batch), four of the reference's. */
const POOL_BATCH = DISTILL_DEFAULTS.batch
const EVAL_N = 4000
const backend = await selectBackend('wasm')

const buf = (a: Float32Array | Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

for (const ds of datasets) {
  if (!isDataset2D(ds)) throw new Error(`unknown dataset ${ds}`)
  const dir = join(OUT, ds)
  mkdirSync(dir, { recursive: true })
  const loaded = loadTeacher('builtin', ds)
  const teacher = loaded.model
  const arrays = await teacher.weights.toArrays()
  const shapes: Record<string, number[]> = {}
  for (const [name, a] of Object.entries(arrays)) {
    writeFileSync(join(dir, `${name}.f32`), buf(a.data))
    shapes[name] = a.shape
  }
  writeFileSync(join(dir, 'sigma.f64'), buf(teacher.schedule.sigma))

  const data = dataSource2D(ds)
  const rng = Rng.fromSeed(0, STREAM_TRAIN)
  const pool = new Float32Array(STEPS * POOL_BATCH * 2)
  for (let s = 0; s < STEPS; s++) pool.set(data.train(POOL_BATCH, rng), s * POOL_BATCH * 2)
  writeFileSync(join(dir, 'train.f32'), buf(pool))

  const noise = evaluationNoise(0, EVAL_N, 2, 7)
  writeFileSync(join(dir, 'evalnoise.f32'), buf(noise.noise))

  // Port check: VE inputs at assorted steps, eps through our engine's denoiser path.
  const nCheck = 512
  const crng = Rng.fromSeed(123, 0)
  const k = new Int32Array(nCheck)
  const x = new Float32Array(nCheck * 2)
  for (let i = 0; i < nCheck; i++) {
    k[i] = i < 8 ? [0, 1, 55, 111, 500, 888, 998, 999][i]! : crng.int(1000)
    const s = teacher.schedule.sigma[k[i]!]!
    const n = crng.normals(2)
    const x0 = data.train(1, crng)
    x[2 * i] = x0[0]! + s * n[0]!
    x[2 * i + 1] = x0[1]! + s * n[1]!
  }
  const eps = tf.tidy(() => {
    const lv = makeLevels(teacher.schedule, k, teacher.architecture.timeEmbeddingDim)
    return epsilon(teacher.weights.net(), tf.tensor2d(x, [nCheck, 2]) as Tensor2D, lv).dataSync() as Float32Array
  })
  writeFileSync(join(dir, 'check_x.f32'), buf(x))
  writeFileSync(join(dir, 'check_k.i32'), buf(k))
  writeFileSync(join(dir, 'check_eps.f32'), buf(eps))

  const reference = await teacherReference(teacher, data, 0, noise, 'ddim')
  const teacher100 = reference.rows.find((r) => r.model === 'teacher' && r.nfe === 100)!.swd
  const floor = reference.rows[0]!.swd
  const meta = {
    dataset: ds,
    backend: backend.name,
    teacherConfig: teacher.config,
    shapes,
    steps: STEPS,
    batch: BATCH,
    evalN: EVAL_N,
    teacher100Swd: teacher100,
    dataFloorSwd: floor,
    teacherRows: reference.rows.map((r) => ({ model: r.model, nfe: r.nfe, swd: r.swd })),
    heldOutStd: axisStd({ points: reference.heldOut, dim: 2 }),
    preset: DISTILL_DEFAULTS,
  }
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2))
  console.log(
    `${ds}: teacher-100 SWD ${teacher100.toFixed(4)}, data floor ${floor.toFixed(4)}, teacher ${JSON.stringify(teacher.config)}`,
  )
}
