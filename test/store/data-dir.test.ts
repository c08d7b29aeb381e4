import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  InvalidIdError,
  dataPaths,
  ensureDataDir,
  ensureRunDirs,
  ensureTeacherDir,
  resolveDataDir,
  runFilePath,
  runPaths,
} from '../../src-main/store'
import { tempDir } from './helpers'

describe('resolveDataDir', () => {
  const home = '/home/ada'
  it('prefers the explicit option, then CLAB_DATA_DIR, then ~/.consistency-lab', () => {
    expect(resolveDataDir({ dataDir: '/data/x', env: { CLAB_DATA_DIR: '/env/y' }, home })).toBe('/data/x')
    expect(resolveDataDir({ env: { CLAB_DATA_DIR: '/env/y' }, home })).toBe('/env/y')
    expect(resolveDataDir({ env: {}, home })).toBe('/home/ada/.consistency-lab')
    expect(resolveDataDir({ dataDir: '  ', env: { CLAB_DATA_DIR: '' }, home })).toBe('/home/ada/.consistency-lab')
  })
  it('resolves relative paths against cwd and expands ~/', () => {
    expect(resolveDataDir({ dataDir: 'lab', env: {}, home, cwd: '/work' })).toBe('/work/lab')
    expect(resolveDataDir({ dataDir: '~/labs/a', env: {}, home })).toBe('/home/ada/labs/a')
    expect(resolveDataDir({ env: { CLAB_DATA_DIR: '~' }, home })).toBe('/home/ada')
  })
})

describe('folder layout', () => {
  it('creates lab.sqlite beside runs/<id>/{checkpoints,samples} and teachers/<id>/', () => {
    const dir = tempDir()
    const paths = ensureDataDir(dir)
    expect(paths).toEqual(dataPaths(dir))
    expect(paths.database).toBe(join(dir, 'lab.sqlite'))
    const run = ensureRunDirs(dir, '20260101-000000-abcdefgh')
    expect(existsSync(run.checkpoints) && existsSync(run.samples)).toBe(true)
    expect(run.dir).toBe(join(dir, 'runs', '20260101-000000-abcdefgh'))
    expect(existsSync(ensureTeacherDir(dir, 'moons-v1'))).toBe(true)
    expect(runFilePath(dir, 'r1', 'checkpoints/step-10.ckpt')).toBe(
      join(dir, 'runs', 'r1', 'checkpoints', 'step-10.ckpt'),
    )
  })
  it('refuses ids that could leave the data folder', () => {
    for (const bad of ['..', '../x', 'a/b', 'a\\b', '', '.hidden', 'a..b']) {
      expect(() => runPaths('/d', bad), bad).toThrow(InvalidIdError)
    }
  })
})
