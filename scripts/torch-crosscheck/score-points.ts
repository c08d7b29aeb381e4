/**
 * Scores 2D sample files (float32 LE, interleaved x, y) against held-out data with the product's metrics.
 * usage: npx tsx scripts/torch-crosscheck/score-points.ts heldout.f32 samples.f32 [...] [--png]
 * (--png writes samples.png beside each file: the samples over the held-out data)
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { offSupportShare, supportMetrics } from '@shared/cd/support-metrics'
import { scatterPng } from '../../src-main/files/scatter-png'

const f32 = (p: string) => {
  const b = readFileSync(p)
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
}
const args = process.argv.slice(2)
const png = args.includes('--png')
const [heldOutPath, ...files] = args.filter((a) => a !== '--png')
const held = f32(heldOutPath!)
for (const p of files) {
  const pts = f32(p)
  const m = supportMetrics(held, pts, 2)
  console.log(
    `${p}: P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)} off ${(100 * offSupportShare(held, pts)).toFixed(1)} %`,
  )
  if (png) writeFileSync(p.replace(/\.f32$/, '.png'), scatterPng(pts, { background: held }))
}
