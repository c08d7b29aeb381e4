/** #17 The renderer's helpers for teacher quality: which teacher a config names, and the thumbnail's dots. */
import { describe, expect, it } from 'vitest'
import { heldOut2D } from '@shared/data/datasets2d'
import type { TeacherRecord } from '@shared/store/types'
import { chosenTeacher, thumbnailDots, THUMBNAIL_DATA_POINTS } from '../../../src-renderer/lib/teacher-quality-view'

const record = (id: string, dataset = 'moons'): TeacherRecord => ({
  id,
  name: id,
  dataset,
  path: `${id}.ckpt`,
  config: {},
  runId: null,
  createdAt: 0,
  notes: '',
})

describe('#17 teacher quality in the renderer', () => {
  it('#17 finds the teacher a config names: builtin, an id, nothing for a path or an empty value', () => {
    const teachers = [record('20260101-000000-aaaaaaaa'), record('builtin-moons')]
    expect(chosenTeacher(teachers, 'builtin')?.id).toBe('builtin-moons')
    expect(chosenTeacher(teachers, '20260101-000000-aaaaaaaa')?.id).toBe('20260101-000000-aaaaaaaa')
    expect(chosenTeacher(teachers, '/somewhere/teacher.ckpt')).toBeUndefined()
    expect(chosenTeacher(teachers, '')).toBeUndefined()
    expect(chosenTeacher(teachers, undefined)).toBeUndefined()
  })

  it('#17 draws held-out data and the samples in one square, keeping proportions; far samples are counted', () => {
    const data = heldOut2D('moons', 50, 3)
    const samples = [...data, 100, 100]
    const dots = thumbnailDots('moons', samples, 120)
    expect(dots?.data).toHaveLength(THUMBNAIL_DATA_POINTS)
    expect(dots?.teacher).toHaveLength(50)
    expect(dots?.outside).toBe(1)
    for (const [x, y] of [...(dots?.data ?? []), ...(dots?.teacher ?? [])]) {
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThanOrEqual(120)
      expect(y).toBeGreaterThanOrEqual(0)
      expect(y).toBeLessThanOrEqual(120)
    }
    // One scale for both axes: a step of 0.1 in x and in y is the same number of pixels.
    const [a, b, c] = thumbnailDots('moons', [0, 0, 0.1, 0, 0, 0.1], 120)?.teacher ?? []
    expect((b?.[0] as number) - (a?.[0] as number)).toBeCloseTo((a?.[1] as number) - (c?.[1] as number), 9)
    // Image teachers have no thumbnail.
    expect(thumbnailDots('image:abc', samples)).toBeNull()
    expect(thumbnailDots('moons', [])).toBeNull()
  })
})
