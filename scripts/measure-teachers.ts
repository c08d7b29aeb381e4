/**
 * `npx tsx scripts/measure-teachers.ts [--datasets moons,checkerboard] [--backend wasm]`: measures the built-in
 * teachers against held-out data (#17: precision, recall, off-support share and sliced Wasserstein at K = 1,
 * 10, 100 DDIM steps, 4000 samples, beside the data floor) and writes resources/teachers/<dataset>.quality.json
 * beside each checkpoint, which the Teachers view, `clab teachers list` and the distillation warnings read.
 * Run it after `npm run make-teachers`.
 */
import { parseArgs } from 'node:util'
import { DATASETS_2D, isDataset2D } from '@shared/data/datasets2d'
import type { BackendChoice } from '@shared/config/fields'
import { selectBackend } from '../src-main/engine/backend'
import { measureTeacherQuality } from '../src-main/engine/teacher-quality'
import { builtinQualityPath, checkpointFingerprint, writeTeacherQuality } from '../src-main/files/teacher-quality-file'
import { builtinTeacherPath, loadTeacher } from '../src-main/files/teachers'
import { teacherQualityTable } from '../src-main/cli/teacher-quality-text'

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: DATASETS_2D.join(',') },
    backend: { type: 'string', default: 'wasm' },
  },
})

const datasets = (values.datasets as string).split(',').map((d) => d.trim())
for (const d of datasets) if (!isDataset2D(d)) throw new Error(`--datasets: ${JSON.stringify(d)} is not a 2D dataset`)
const backend = await selectBackend(values.backend as BackendChoice)
for (const dataset of datasets.filter(isDataset2D)) {
  const started = performance.now()
  const teacher = loadTeacher('builtin', dataset)
  const checkpoint = checkpointFingerprint(builtinTeacherPath(dataset))
  // The checkpoint's fingerprint: a teacher re-made later reads as not measured until this runs again.
  const quality = { ...(await measureTeacherQuality(teacher.model, dataset)), ...(checkpoint ? { checkpoint } : {}) }
  const path = builtinQualityPath(dataset)
  writeTeacherQuality(path, quality)
  console.log(
    `${dataset} (${backend.name}, ${((performance.now() - started) / 1000).toFixed(1)} s) -> ${path}\n${teacherQualityTable(quality)}`,
  )
}
