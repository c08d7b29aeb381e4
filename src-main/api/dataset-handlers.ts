/** The `datasets.*` handlers: list, preview as a PNG grid, chunked upload into the data folder, import. */
import { existsSync } from 'node:fs'
import { DatasetService } from '../services/dataset-service'
import { imageGridPng } from '../files/image-grid-png'
import { ApiFailure } from './failure'
import type { HandlerContext, HandlersOf } from './handler-context'
import { insideDataDir } from './paths'
import { appendUploadChunk, removeStagedUploads, startUpload } from './uploads'

export function datasetHandlers({ store, root }: HandlerContext): HandlersOf<'datasets'> {
  const datasets = new DatasetService(store)
  return {
    'datasets.list': (p) => datasets.list(p?.kind),
    'datasets.preview': (p) => {
      const dataset = datasets.find(p.id)
      if (!dataset) throw new ApiFailure('NOT_FOUND', `no dataset ${p.id}`, 'id')
      const reader = datasets.open(dataset.id)
      try {
        const count = Math.min(p.count ?? 32, reader.count)
        const png = imageGridPng(reader.range(0, count).images, reader, { columns: 8, scale: p.scale ?? 2 })
        return {
          datasetId: dataset.id,
          mime: 'image/png' as const,
          bytes: new Uint8Array(png.buffer, png.byteOffset, png.byteLength),
          count,
        }
      } finally {
        reader.close()
      }
    },
    'datasets.upload': (p) =>
      p.to !== undefined ? appendUploadChunk(root, p.to, p.offset ?? 0, p.bytes) : startUpload(root, p.name, p.bytes),
    'datasets.import': async (p) => {
      const files = p.paths.map((file, i) => {
        const inside = insideDataDir(root, file, `paths.${i}`)
        if (!existsSync(inside)) throw new ApiFailure('NOT_FOUND', `${inside} does not exist`, `paths.${i}`)
        return inside
      })
      try {
        const result = await datasets.import(files, {
          ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.kind !== undefined ? { kind: p.kind } : {}),
        })
        return { datasets: result.datasets.map((d) => ({ dataset: d.dataset, created: d.created })) }
      } finally {
        removeStagedUploads(root, files)
      }
    },
  }
}
