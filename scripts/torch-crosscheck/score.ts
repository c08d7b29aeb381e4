/**
 * Scores the torch loop's one-step samples with our metric: score(points, {points: heldOut, dim: 2}).swd
 * against heldOut2D(ds, 4000, seed 0) (what teacherReference uses), over our teacher-100 DDIM SWD recomputed
 * here with teacherReference on the same eval noise; per-axis std relative to the held-out data's.
 * usage: npx tsx scripts/torch-crosscheck/score.ts [datasets,comma,separated] [tag regex]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { axisStd, meanPairedDistance } from '@shared/cd/metrics'
import { offSupportShare, supportMetrics } from '@shared/cd/support-metrics'
import { isDataset2D } from '@shared/data/datasets2d'
import { selectBackend } from '../../src-main/engine/backend'
import { dataSource2D } from '../../src-main/engine/data-source'
import { evaluationNoise, score, teacherReference } from '../../src-main/engine/evaluate'
import { loadTeacher } from '../../src-main/files/teachers'

/** Mean distance between the torch teacher's 100-step samples and ours from the same noise, at most. */
const TEACHER_AGREEMENT = 1e-4
const OUT = process.env.CLAB_CROSSCHECK_DIR ?? join(tmpdir(), 'clab-torch-crosscheck')
const datasets = (process.argv[2] ?? 'moons,8gaussians,checkerboard').split(',')
await selectBackend('wasm')
const f32 = (path: string) => {
  const b = readFileSync(path)
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}

for (const ds of datasets) {
  if (!isDataset2D(ds)) throw new Error(`unknown dataset ${ds}`)
  const dir = join(OUT, ds, 'runs')
  if (!existsSync(dir)) continue
  const teacher = loadTeacher('builtin', ds).model
  const noise = evaluationNoise(0, 4000, 2, 7)
  const reference = await teacherReference(teacher, dataSource2D(ds), 0, noise, 'ddim')
  const ref = { points: reference.heldOut, dim: 2 }
  const t100 = reference.rows.find((r) => r.model === 'teacher' && r.nfe === 100)!.swd
  const floor = reference.rows[0]!.swd
  const dataStd = axisStd(ref)
  console.log(
    `\n${ds}: our teacher-100 SWD ${t100.toFixed(4)}, data floor ${floor.toFixed(4)}, held-out std ${dataStd.map((s) => s.toFixed(3)).join(' / ')}`,
  )
  const only = process.argv[3] ? new RegExp(process.argv[3]) : null // runs whose tag matches, e.g. '^sm31'
  for (const run of readdirSync(dir).sort()) {
    if (only && !only.test(run)) continue
    const files = readdirSync(join(dir, run)).filter((f) => f.endsWith('.f32'))
    const torch100 = files.includes('teacher100.f32') ? f32(join(dir, run, 'teacher100.f32')) : null
    const t = torch100 ? score(torch100, ref).swd : NaN
    // Same noise, same sampler steps: the two teachers' samples should agree point by point, not only in SWD.
    const apart =
      torch100 && torch100.length === reference.k100.length
        ? meanPairedDistance({ points: torch100, dim: 2 }, { points: reference.k100, dim: 2 })
        : NaN
    console.log(
      `  ${run}: torch teacher-100 DDIM scored by us ${t.toFixed(4)}, mean distance to ours from the same noise ${apart.toExponential(2)}`,
    )
    if (apart > TEACHER_AGREEMENT) {
      // moons measured 2.1e-7; the sampler before 2026-12-06's fix (uniform steps ending at step 0) 6.8e-3.
      console.error(
        `  ${run}: the torch teacher's samples are ${apart.toExponential(2)} from ours on average (more than ${TEACHER_AGREEMENT}): the port samples differently; re-run torch_cd.py for this run`,
      )
      process.exitCode = 1
    }
    const steps = [
      ...new Set(files.filter((f) => /_\d+\.f32$/.test(f)).map((f) => Number(f.match(/_(\d+)\.f32$/)![1]))),
    ].sort((a, b) => a - b)
    for (const step of steps) {
      const parts = (['ema', 'online', 'ema2'] as const).map((w) => {
        const path = join(dir, run, `${w}_${step}.f32`)
        if (!existsSync(path)) return `${w} -`
        const pts = f32(path)
        const swd = score(pts, ref).swd
        const sp = axisStd({ points: pts, dim: 2 }).map((s, i) => (s / dataStd[i]!).toFixed(2))
        const { precision, recall } = supportMetrics(reference.heldOut, pts, 2)
        const off = offSupportShare(reference.heldOut, pts)
        return `${w} SWD ${swd.toFixed(4)} = ${(swd / t100).toFixed(2)}x, P ${precision.toFixed(3)} R ${recall.toFixed(3)} off ${(100 * off).toFixed(1)} %, std x ${sp[0]} y ${sp[1]}`
      })
      console.log(`    step ${step}: ${parts.join(' | ')}`)
    }
  }
}
