/** The cached classifier beside a dataset: round trip of info and weights, and damaged files named with the problem. */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ClassifierFileError,
  classifierPath,
  readClassifierFile,
  writeClassifierFile,
  type ClassifierInfo,
} from '../../src-main/files/classifier-file'

const dirs: string[] = []
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'clab-classifier-file-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const INFO: ClassifierInfo = {
  spec: { height: 28, width: 28, channels: 1, classes: 10, conv1Channels: 16, conv2Channels: 32, featureDim: 64 },
  testAccuracy: 0.9,
  steps: 100,
  trainImages: 54_000,
  testImages: 6000,
  backend: 'wasm',
  msPerStep: 80,
  createdAt: 1_764_000_000_000,
}

describe('classifier file', () => {
  it('is absent until written, then round-trips info and weights bit for bit', () => {
    const dir = fresh()
    expect(readClassifierFile(dir)).toBeNull()
    const data = Float32Array.from([1.5, -0, Math.PI, 1e-30, -123456.789])
    writeClassifierFile(dir, INFO, { 'conv1.b': { shape: [5], data } })
    const read = readClassifierFile(dir)
    expect(read?.info).toEqual(INFO)
    expect(Array.from(read?.weights['conv1.b']?.data ?? [])).toEqual(Array.from(data))
    expect(read?.weights['conv1.b']?.shape).toEqual([5])
  })

  it('refuses damaged files, naming the file and the problem', () => {
    const dir = fresh()
    writeFileSync(classifierPath(dir), '{"version": 1, "spec"')
    expect(() => readClassifierFile(dir)).toThrow(ClassifierFileError)
    expect(() => readClassifierFile(dir)).toThrow(new RegExp(`${classifierPath(dir)}: is not readable JSON.*delete it`))

    writeClassifierFile(dir, INFO, { w: { shape: [2], data: Float32Array.from([1, 2]) } })
    const file = JSON.parse(readFileSync(classifierPath(dir), 'utf8')) as {
      testAccuracy: number
      weights: Record<string, { shape: number[] }>
    }
    writeFileSync(classifierPath(dir), JSON.stringify({ ...file, testAccuracy: 7 }))
    expect(() => readClassifierFile(dir)).toThrow(/testAccuracy: .*(<=|at most|too big)/i)
    writeFileSync(classifierPath(dir), JSON.stringify({ ...file, weights: { w: { ...file.weights.w, shape: [3] } } }))
    expect(() => readClassifierFile(dir)).toThrow(/weights w: 8 bytes, its shape needs 12/)
  })
})
