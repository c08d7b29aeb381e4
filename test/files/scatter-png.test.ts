import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { readPointsCsv, scatterPng } from '../../src-main/files/scatter-png'
import { pointsCsv } from '../../src-main/files/export-run'

describe('scatterPng', () => {
  it('draws samples over the data on fixed axes', () => {
    const png = PNG.sync.read(
      scatterPng(new Float32Array([0, 0, 2.4, 2.4]), {
        size: 101,
        extent: 2.5,
        background: new Float32Array([-2, -2]),
      }),
    )
    expect([png.width, png.height]).toEqual([101, 101])
    const at = (x: number, y: number) => Array.from(png.data.subarray(4 * (y * 101 + x), 4 * (y * 101 + x) + 3))
    expect(at(50, 50)).toEqual([31, 94, 190]) // the origin, a sample
    expect(at(98, 2)).toEqual([31, 94, 190]) // (2.4, 2.4): top right
    expect(at(10, 90)).toEqual([200, 200, 200]) // (-2, -2): the data point, bottom left
    expect(at(75, 75)).toEqual([255, 255, 255])
  })

  it('reads back the x,y CSVs the engine writes', () => {
    const points = new Float32Array([0.5, -1.25, 3, 4])
    expect(Array.from(readPointsCsv(pointsCsv(points, 2)))).toEqual([0.5, -1.25, 3, 4])
  })
})
