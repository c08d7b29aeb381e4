/**
 * `--export DIR`: config.json, metrics.json and, for 2D data, CSV files with header `x,y`.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from './checkpoint-file'

export function pointsCsv(points: Float32Array, dim: number): string {
  const header = dim === 2 ? 'x,y' : Array.from({ length: dim }, (_, j) => `x${j}`).join(',')
  const lines = [header]
  for (let i = 0; i < points.length / dim; i++) {
    const row: string[] = []
    for (let j = 0; j < dim; j++) row.push(String(points[i * dim + j]))
    lines.push(row.join(','))
  }
  return `${lines.join('\n')}\n`
}

export interface ExportFiles {
  json: Record<string, unknown>
  csv: Record<string, { points: Float32Array; dim: number }>
}

export function writeExport(dir: string, files: ExportFiles): string[] {
  mkdirSync(dir, { recursive: true })
  const written: string[] = []
  for (const [name, value] of Object.entries(files.json)) {
    const path = join(dir, name)
    writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`)
    written.push(path)
  }
  for (const [name, { points, dim }] of Object.entries(files.csv)) {
    const path = join(dir, name)
    writeFileAtomic(path, pointsCsv(points, dim))
    written.push(path)
  }
  return written
}
