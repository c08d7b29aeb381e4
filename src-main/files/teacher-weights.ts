/**
 * Whether a teacher checkpoint's weights are the network its config describes: every array the architecture
 * needs, by name and shape, no other teacher array, every value finite. Computed from the config alone (no
 * tensors are made), so an import can refuse a mismatched file before it is stored, instead of a run failing
 * on it later.
 */
import type { TeacherConfig } from '@shared/config/schemas'
import { mlpSpecOf, unetSpecOf } from '../engine/architecture'
import type { ImageShape } from '../engine/data-source'
import { layerShapes } from '../engine/mlp'
import { unetParameterShapes } from '../engine/unet'
import type { NamedArray } from '../engine/weights'
import { CheckpointError } from './checkpoint-file'

/** The prefix of the teacher's own weights in a teacher checkpoint (Adam's state sits beside it). */
const PREFIX = 'teacher/'

export interface ParameterShape {
  name: string
  shape: readonly number[]
}

/**
 * The parameters `config` needs: the MLP's on 2D points, or the U-Net's on images of `image` (when the image
 * dataset is not in this history, its channel count is read from the file's input convolution).
 */
export function teacherParameterShapes(
  config: TeacherConfig,
  image: ImageShape | null,
  arrays: Record<string, NamedArray> = {},
): ParameterShape[] {
  if (config.model === 'unet') {
    const levels = config.unetMultipliers.length
    const side = 2 ** (levels - 1)
    const channels = image?.channels ?? arrays[`${PREFIX}in.conv.W`]?.shape[2] ?? 1
    return unetParameterShapes(unetSpecOf(config, image ?? { height: side, width: side, channels }))
  }
  return layerShapes(mlpSpecOf(config, 2)).flatMap(([fanIn, fanOut], i) => [
    { name: `layer${i}.W`, shape: [fanIn, fanOut] },
    { name: `layer${i}.b`, shape: [fanOut] },
  ])
}

function architectureText(config: TeacherConfig): string {
  return config.model === 'unet'
    ? `unet, channels ${config.unetChannels}, multipliers [${config.unetMultipliers.join(', ')}], res blocks ${config.unetResBlocks}, time embedding ${config.timeEmbeddingDim}`
    : `mlp, width ${config.hiddenWidth}, depth ${config.hiddenDepth}, time embedding ${config.timeEmbeddingDim}`
}

/** Throws a CheckpointError naming the first array that does not fit `config`. */
export function checkTeacherWeights(
  path: string,
  config: TeacherConfig,
  arrays: Record<string, NamedArray>,
  image: ImageShape | null,
): void {
  let expected: ParameterShape[]
  try {
    expected = teacherParameterShapes(config, image, arrays)
  } catch (error) {
    throw new CheckpointError(path, `its config describes no network this app can build (${(error as Error).message})`)
  }
  const mismatch = (why: string) =>
    new CheckpointError(path, `weights do not match its config (${architectureText(config)}): ${why}`)
  for (const p of expected) {
    const a = arrays[`${PREFIX}${p.name}`]
    if (!a) throw mismatch(`${PREFIX}${p.name} is missing`)
    const size = p.shape.reduce((x, y) => x * y, 1)
    if (a.shape.join(',') !== p.shape.join(',') || a.data.length !== size) {
      throw mismatch(`${PREFIX}${p.name} has shape [${a.shape.join(', ')}], the config needs [${p.shape.join(', ')}]`)
    }
    const bad = a.data.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) throw mismatch(`${PREFIX}${p.name}[${bad}] is ${a.data[bad]}, not a finite number`)
  }
  const names = new Set(expected.map((p) => `${PREFIX}${p.name}`))
  const extra = Object.keys(arrays).filter((n) => n.startsWith(PREFIX) && !names.has(n))
  if (extra.length > 0)
    throw mismatch(
      `${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ` and ${extra.length - 3} more` : ''} belong to no layer of it`,
    )
}
