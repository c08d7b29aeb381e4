/**
 * The epsilon network a teacher config describes on data of a given shape: the 2D MLP or the image U-Net.
 * Everything that builds weights (teacher training, distillation, loading checkpoints) goes through here,
 * so trainers, samplers and checkpoints never ask which model they hold.
 */
import type { TeacherConfig } from '@shared/config/schemas'
import type { ModelKind } from '@shared/config/fields'
import type { Rng } from '@shared/rng'
import type { DataShape, ImageShape } from './data-source'
import { countParameters, fourierFeaturesOf, initialWeights, type MlpSpec } from './mlp'
import { countUnetParameters, initialUnetWeights, unetSpec, UnetWeightSet, type UnetSpec } from './unet'
import { WeightSet, type EpsWeights, type WeightArrays } from './weights'

export interface Architecture extends DataShape {
  kind: ModelKind
  timeEmbeddingDim: number
  parameterCount: number
  /**
   * Rows per network call when sampling many at once: the MLP takes any batch in one call (and its
   * figures stay bit-identical to earlier versions); a U-Net's activations are ~100x the image size.
   */
  sampleChunk: number
  /** Seeded initial weights (deterministic on every backend). */
  initialArrays(rng: Rng): WeightArrays
  /** Variables from arrays; a set of another architecture is refused by name. */
  fromArrays(arrays: WeightArrays, trainable: boolean, label: string): EpsWeights
}

export class ArchitectureError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'ArchitectureError'
  }
}

export const UNET_SAMPLE_CHUNK = 64

export function mlpSpecOf(config: TeacherConfig, dim: number): MlpSpec {
  return {
    inputDim: dim,
    hiddenWidth: config.hiddenWidth,
    hiddenDepth: config.hiddenDepth,
    timeEmbeddingDim: config.timeEmbeddingDim,
    fourierFeatures: config.fourierFeatures,
    fourierMaxFrequency: config.fourierMaxFrequency,
  }
}

export function unetSpecOf(config: TeacherConfig, image: ImageShape): UnetSpec {
  return unetSpec({
    ...image,
    baseChannels: config.unetChannels,
    channelMultipliers: [...config.unetMultipliers],
    resBlocksPerLevel: config.unetResBlocks,
    groups: config.unetGroups,
    timeEmbeddingDim: config.timeEmbeddingDim,
  })
}

export function architectureFor(config: TeacherConfig, data: DataShape): Architecture {
  if (config.model === 'unet') {
    if (!data.image)
      throw new ArchitectureError(
        'model',
        `model unet needs image data; dataset ${config.dataset} is 2D (use model mlp)`,
      )
    const spec = unetSpecOf(config, data.image)
    return {
      kind: 'unet',
      dim: data.dim,
      image: data.image,
      timeEmbeddingDim: spec.timeEmbeddingDim,
      parameterCount: countUnetParameters(spec),
      sampleChunk: UNET_SAMPLE_CHUNK,
      initialArrays: (rng) => initialUnetWeights(spec, rng),
      fromArrays: (arrays, trainable, label) => UnetWeightSet.fromArrays(spec, arrays, trainable, label),
    }
  }
  if (data.image)
    throw new ArchitectureError(
      'model',
      `model mlp is for 2D data; dataset ${config.dataset} holds images (use model unet)`,
    )
  const spec = mlpSpecOf(config, data.dim)
  const numLayers = spec.hiddenDepth + 1
  const fourier = fourierFeaturesOf(spec)
  return {
    kind: 'mlp',
    dim: data.dim,
    image: null,
    timeEmbeddingDim: spec.timeEmbeddingDim,
    parameterCount: countParameters(spec),
    sampleChunk: Number.POSITIVE_INFINITY,
    initialArrays: (rng) => {
      const arrays: WeightArrays = {}
      initialWeights(spec, rng).forEach((l, i) => {
        arrays[`layer${i}.W`] = { shape: l.shape, data: l.W }
        arrays[`layer${i}.b`] = { shape: [l.shape[1]], data: l.b }
      })
      return arrays
    },
    fromArrays: (arrays, trainable, label) => WeightSet.fromArrays(arrays, numLayers, trainable, label, fourier),
  }
}
