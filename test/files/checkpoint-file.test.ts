import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseTeacherConfig } from '@shared/config/validate'
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from '../../src-main/files/checkpoint-file'
import type { Snapshot, TeacherHeader } from '../../src-main/engine/snapshot'
import { testTempDir } from '../helpers/temp'

function sample(): Snapshot<TeacherHeader> {
  return {
    header: {
      kind: 'teacher',
      config: parseTeacherConfig({ dataset: 'rings' }),
      step: 12,
      rng: { state: [1, 2, 3, 4], spareNormal: 0.25 },
      adamStep: 12,
      backend: 'cpu',
    },
    arrays: {
      'teacher/layer0.W': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, Math.PI]) },
      'teacher/layer0.b': { shape: [3], data: new Float32Array([-1, 0, 1e-30]) },
    },
  }
}

describe('checkpoint files', () => {
  it('round-trip header and arrays exactly', () => {
    const decoded = decodeCheckpoint(encodeCheckpoint(sample()))
    expect(decoded).toEqual(sample())
  })

  it('refuse a truncated file, naming it', () => {
    const bytes = encodeCheckpoint(sample())
    expect(() => decodeCheckpoint(bytes.slice(0, bytes.length - 5), 'x.ckpt')).toThrow(/checkpoint x.ckpt: truncated/)
    expect(() => decodeCheckpoint(bytes.slice(0, 30), 'x.ckpt')).toThrow(CheckpointError)
  })

  it('refuse flipped bytes (checksum) and foreign files (magic)', () => {
    const bytes = encodeCheckpoint(sample())
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0xff
    expect(() => decodeCheckpoint(bytes)).toThrow(/checksum mismatch/)
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"not": "a checkpoint"}'))).toThrow(/bad magic/)
  })

  it('refuse a stored config that fails validation', () => {
    const bad = sample()
    ;(bad.header.config as { numSteps: number }).numSteps = 1
    expect(() => decodeCheckpoint(encodeCheckpoint(bad))).toThrow(/stored config is invalid: numSteps/)
  })

  it('write atomically and leave the previous file intact when a write fails', () => {
    const dir = testTempDir('ckpt')
    const path = join(dir, 'latest.ckpt')
    writeCheckpoint(path, sample())
    const good = readFileSync(path)
    expect(readCheckpoint(path).header.step).toBe(12)
    // Something in the way of the temporary file makes the write fail part-way (as a full disk would).
    const blocker = `${path}.tmp-${process.pid}`
    mkdirSync(blocker)
    expect(() => writeCheckpoint(path, { ...sample(), header: { ...sample().header, step: 99 } })).toThrow()
    rmdirSync(blocker)
    expect(readFileSync(path).equals(good)).toBe(true)
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([])
  })

  it('say which file could not be read', () => {
    expect(() => readCheckpoint('/nonexistent/teacher.ckpt')).toThrow(
      /checkpoint \/nonexistent\/teacher.ckpt: cannot be read \(ENOENT\)/,
    )
    const dir = testTempDir('ckpt')
    writeFileSync(join(dir, 'empty.ckpt'), '')
    expect(existsSync(join(dir, 'empty.ckpt'))).toBe(true)
    expect(() => readCheckpoint(join(dir, 'empty.ckpt'))).toThrow(/bad magic/)
  })
})
