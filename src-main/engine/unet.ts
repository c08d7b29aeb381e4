/**
 * A small U-Net epsilon-predictor for images (28x28x1, 32x32x3, any size divisible by 2^(levels-1)),
 * NHWC, in the layout of Ho et al.'s DDPM network, cut down:
 *
 *   k -> sinusoid(E) -> dense(4C) -> SiLU -> dense(4C) = temb          (C = base channels)
 *   x -> conv3x3(C) -> [per level l: R res blocks at C*mult[l], then downsample except at the last level]
 *     -> mid: 2 res blocks
 *     -> [per level, reversed: R+1 res blocks on concat(h, skip), then nearest x2 + conv3x3 except at level 0]
 *     -> GroupNorm -> SiLU -> conv3x3(channels) = eps
 *   res block: GN -> SiLU -> conv3x3 -> + dense(SiLU(temb)) -> GN -> SiLU -> conv3x3, plus a 1x1 conv on the
 *   skip path when the width changes.
 *
 * Weights are a flat, named set (`down0.res0.conv1.W`, ...), so checkpoints, EMA and Adam handle them as
 * they handle the MLP's `layer0.W`: UnetWeightSet mirrors WeightSet's methods. The forward takes plain
 * tensors, so the same code serves a frozen teacher and a trainable student.
 *
 * The last conv of every residual branch and the output conv start at zero (each block starts as the
 * identity and the network's first output is 0, as the MLP's last layer): training is stable from step 1
 * at any depth without tuning the init.
 */
import { Rng } from '@shared/rng'
import { registerConvGradientKernels } from './conv-kernels'
import { makeWebgpuGroupNorm } from './group-norm-webgpu'
import { dense, silu } from './ops'
import { tf, type Tensor1D, type Tensor2D } from './tf'
import type { EpsNet } from './denoiser'
import {
  arraysOfVariables,
  copyVariables,
  emaAssign,
  namedVariables,
  type EpsWeights,
  type WeightArrays,
} from './weights'

registerConvGradientKernels()

export interface UnetSpec {
  height: number
  width: number
  channels: number
  /** Width of the first level; level l has baseChannels * channelMultipliers[l]. */
  baseChannels: number
  /** One entry per resolution level (the depth): [1, 2] is 28 -> 14 for MNIST. */
  channelMultipliers: number[]
  resBlocksPerLevel: number
  /** GroupNorm groups; must divide every normalised width (checked by validateUnetSpec). */
  groups: number
  /** Length of the sinusoidal step embedding fed to the time MLP. */
  timeEmbeddingDim: number
  downsample: 'conv' | 'avgpool'
}

export const UNET_DEFAULTS = {
  baseChannels: 32,
  channelMultipliers: [1, 2],
  resBlocksPerLevel: 1,
  groups: 8,
  timeEmbeddingDim: 32,
  downsample: 'conv',
} as const satisfies Omit<UnetSpec, 'height' | 'width' | 'channels'>

export class UnetSpecError extends Error {
  constructor(
    readonly field: keyof UnetSpec,
    readonly value: unknown,
    why: string,
  ) {
    super(`unet: ${field} = ${JSON.stringify(value)}: ${why}`)
    this.name = 'UnetSpecError'
  }
}

/** The image shape plus defaults for everything not given; throws UnetSpecError on a bad field. */
export function unetSpec(shape: Pick<UnetSpec, 'height' | 'width' | 'channels'> & Partial<UnetSpec>): UnetSpec {
  const spec: UnetSpec = {
    ...UNET_DEFAULTS,
    channelMultipliers: [...UNET_DEFAULTS.channelMultipliers],
    // An explicit `undefined` (an unset form field) means the default, not a missing value.
    ...(Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) as typeof shape),
  }
  validateUnetSpec(spec)
  return spec
}

const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0

export function validateUnetSpec(spec: UnetSpec): void {
  for (const field of [
    'height',
    'width',
    'channels',
    'baseChannels',
    'resBlocksPerLevel',
    'groups',
    'timeEmbeddingDim',
  ] as const) {
    if (!positiveInt(spec[field])) throw new UnetSpecError(field, spec[field], 'must be a positive integer')
  }
  if (spec.timeEmbeddingDim % 2 !== 0)
    throw new UnetSpecError('timeEmbeddingDim', spec.timeEmbeddingDim, 'must be even (sin and cos halves)')
  const mults = spec.channelMultipliers
  if (!Array.isArray(mults) || mults.length === 0 || !mults.every(positiveInt)) {
    throw new UnetSpecError('channelMultipliers', mults, 'must be a non-empty list of positive integers')
  }
  if (spec.downsample !== 'conv' && spec.downsample !== 'avgpool') {
    throw new UnetSpecError('downsample', spec.downsample, "must be 'conv' or 'avgpool'")
  }
  const factor = 2 ** (mults.length - 1)
  for (const field of ['height', 'width'] as const) {
    if (spec[field] % factor !== 0) {
      throw new UnetSpecError(
        field,
        spec[field],
        `must be divisible by ${factor} for ${mults.length} levels (each level but the last halves it)`,
      )
    }
  }
  for (const p of unetParameterShapes(spec)) {
    if (p.name.endsWith('.gamma') && (p.shape[0] as number) % spec.groups !== 0) {
      throw new UnetSpecError(
        'groups',
        spec.groups,
        `must divide every normalised width; ${p.name.slice(0, -'.gamma'.length)} has ${p.shape[0]} channels`,
      )
    }
  }
}

export interface UnetParameter {
  name: string
  shape: number[]
  /** `he`: normal with std sqrt(2 / fan-in); `zero` / `one`: constants. */
  init: 'he' | 'zero' | 'one'
}

/** Every parameter of the network, in a fixed order (the order of variables(), Adam state and files). */
export function unetParameterShapes(spec: UnetSpec): UnetParameter[] {
  const params: UnetParameter[] = []
  const C = spec.baseChannels
  const T = 4 * C
  const conv = (name: string, k: number, cin: number, cout: number, zero = false) => {
    params.push({ name: `${name}.W`, shape: [k, k, cin, cout], init: zero ? 'zero' : 'he' })
    params.push({ name: `${name}.b`, shape: [cout], init: 'zero' })
  }
  const norm = (name: string, ch: number) => {
    params.push({ name: `${name}.gamma`, shape: [ch], init: 'one' })
    params.push({ name: `${name}.beta`, shape: [ch], init: 'zero' })
  }
  const res = (name: string, cin: number, cout: number) => {
    norm(`${name}.norm1`, cin)
    conv(`${name}.conv1`, 3, cin, cout)
    params.push({ name: `${name}.temb.W`, shape: [T, cout], init: 'he' })
    params.push({ name: `${name}.temb.b`, shape: [cout], init: 'zero' })
    norm(`${name}.norm2`, cout)
    conv(`${name}.conv2`, 3, cout, cout, true)
    if (cin !== cout) conv(`${name}.skip`, 1, cin, cout)
  }
  params.push({ name: 'temb.dense0.W', shape: [spec.timeEmbeddingDim, T], init: 'he' })
  params.push({ name: 'temb.dense0.b', shape: [T], init: 'zero' })
  params.push({ name: 'temb.dense1.W', shape: [T, T], init: 'he' })
  params.push({ name: 'temb.dense1.b', shape: [T], init: 'zero' })
  conv('in.conv', 3, spec.channels, C)
  const levels = spec.channelMultipliers.length
  let ch = C
  const skips = [ch]
  spec.channelMultipliers.forEach((mult, l) => {
    for (let r = 0; r < spec.resBlocksPerLevel; r++) {
      res(`down${l}.res${r}`, ch, C * mult)
      ch = C * mult
      skips.push(ch)
    }
    if (l < levels - 1) {
      if (spec.downsample === 'conv') conv(`down${l}.down`, 3, ch, ch)
      skips.push(ch)
    }
  })
  res('mid.res0', ch, ch)
  res('mid.res1', ch, ch)
  for (let l = levels - 1; l >= 0; l--) {
    const cout = C * (spec.channelMultipliers[l] as number)
    for (let r = 0; r <= spec.resBlocksPerLevel; r++) {
      res(`up${l}.res${r}`, ch + (skips.pop() as number), cout)
      ch = cout
    }
    if (l > 0) conv(`up${l}.up`, 3, ch, ch)
  }
  norm('out.norm', ch)
  conv('out.conv', 3, ch, spec.channels, true)
  return params
}

export function countUnetParameters(spec: UnetSpec): number {
  return unetParameterShapes(spec).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)
}

/** Seeded initial weights (deterministic on every backend), in unetParameterShapes order. */
export function initialUnetWeights(spec: UnetSpec, rng: Rng): WeightArrays {
  const out: WeightArrays = {}
  for (const p of unetParameterShapes(spec)) {
    const size = p.shape.reduce((a, b) => a * b, 1)
    let data: Float32Array
    if (p.init === 'he') {
      // Fan-in of a [k, k, cin, cout] filter is k*k*cin; of a dense [in, out] matrix, in.
      const fanIn = size / (p.shape[p.shape.length - 1] as number)
      const std = Math.sqrt(2 / fanIn)
      data = rng.normals(size).map((v) => v * std)
    } else {
      data = new Float32Array(size).fill(p.init === 'one' ? 1 : 0)
    }
    out[p.name] = { shape: p.shape, data }
  }
  return out
}

/** The U-Net's weights as named tf.Variables; the same surface as WeightSet (variables, toArrays, copy, emaFrom). */
export class UnetWeightSet implements EpsWeights {
  private constructor(
    readonly spec: UnetSpec,
    readonly params: Readonly<Record<string, tf.Variable>>,
    private readonly order: string[],
  ) {}

  /** Checks every name and shape against the spec, so a checkpoint of another architecture is refused by name. */
  static fromArrays(spec: UnetSpec, arrays: WeightArrays, trainable: boolean, label: string): UnetWeightSet {
    const { params, order } = namedVariables(
      unetParameterShapes(spec),
      arrays,
      trainable,
      label,
      `unet weights (${label})`,
    )
    return new UnetWeightSet(spec, params, order)
  }

  /** Parameter names in variables() order (what Adam.save / restore take). */
  names(): string[] {
    return [...this.order]
  }

  variables(): tf.Variable[] {
    return this.order.map((n) => this.params[n] as tf.Variable)
  }

  /** Made on the device: nothing is read back. */
  copy(trainable: boolean, label: string): UnetWeightSet {
    const vars = copyVariables(
      this.variables(),
      trainable,
      this.order.map((n) => `${label}/${n}`),
    )
    const params = Object.fromEntries(this.order.map((n, i) => [n, vars[i] as tf.Variable]))
    return new UnetWeightSet(this.spec, params, [...this.order])
  }

  toArrays(): Promise<WeightArrays> {
    return arraysOfVariables(this.order, this.params)
  }

  /** this <- decay * this + (1 - decay) * source, in place. */
  emaFrom(source: EpsWeights, decay: number): void {
    emaAssign(this.variables(), source.variables(), decay)
  }

  net(): EpsNet {
    return (x, embedding) => unetForwardFlat(this.spec, this.params, x, embedding)
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose()
  }
}

// ---------------------------------------------------------------------------------------------------------
// Forward.

export type UnetParams = Readonly<Record<string, tf.Tensor>>

const act = silu as unknown as <T extends tf.Tensor>(x: T) => T

function param(params: UnetParams, name: string): tf.Tensor {
  const p = params[name]
  if (!p) throw new Error(`unet: parameter ${name} is missing`)
  return p
}

function conv(params: UnetParams, name: string, x: tf.Tensor4D, strides: 1 | 2 = 1): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: param(params, `${name}.W`) as tf.Tensor4D,
    bias: param(params, `${name}.b`),
    strides,
    pad: 'same',
  })
}

type GradFn = Parameters<typeof tf.customGrad>[0]

/**
 * GroupNorm (Wu & He): statistics over (H, W, the group's channels) per example, then a per-channel
 * affine. The gradient is written in closed form,
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),  g = dy gamma  (means over each group),
 * because tfjs's autodiff of moments() takes ~3x as many full-size kernels (the largest cost of a U-Net
 * step on wasm after the convolutions).
 */
export function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor4D {
  // On webgpu as six fused kernels (group-norm-webgpu.ts); cpu and wasm keep the ops below, bit for bit.
  const webgpu = tf.getBackend() === 'webgpu'
  const ops = webgpu ? webgpuGroupNormOps : groupNormOps
  let op = ops.get(groups)
  if (!op) {
    op = webgpu ? makeWebgpuGroupNorm(groups, GROUP_NORM_EPSILON) : makeGroupNorm(groups)
    ops.set(groups, op)
  }
  return op(x, gamma, beta)
}

type GroupNormOp = (x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor4D

/** customGrad differentiates tensors only, so the group count is closed over: one op per count. */
const groupNormOps = new Map<number, GroupNormOp>()
const webgpuGroupNormOps = new Map<number, GroupNormOp>()

function makeGroupNorm(G: number): GroupNormOp {
  return tf.customGrad(((x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const [B, H, W, C] = x.shape
    if (C % G !== 0) throw new Error(`groupNorm: ${C} channels do not split into ${G} groups`)
    const grouped = [B, H * W, G, C / G]
    const g = tf.reshape(x, grouped)
    const centred = tf.sub(g, tf.mean(g, [1, 3], true))
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), [1, 3], true), GROUP_NORM_EPSILON))
    const xhat = tf.reshape(tf.mul(centred, rstd), x.shape)
    save([xhat, rstd, gamma])
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, r, gm] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor1D]
        const gG = tf.reshape(tf.mul(dy, gm), grouped)
        const xG = tf.reshape(xh, grouped)
        const dx = tf.mul(
          r,
          tf.sub(tf.sub(gG, tf.mean(gG, [1, 3], true)), tf.mul(xG, tf.mean(tf.mul(gG, xG), [1, 3], true))),
        )
        return [tf.reshape(dx, xh.shape), tf.sum(tf.mul(dy, xh), [0, 1, 2]), tf.sum(dy, [0, 1, 2])]
      },
    }
  }) as unknown as GradFn) as unknown as GroupNormOp
}

export const GROUP_NORM_EPSILON = 1e-5

/**
 * Nearest-neighbour x2 upsampling. Forward is tfjs's resize; the gradient (the sum over each 2x2 block) is
 * a reshape and a sum, because wasm's ResizeNearestNeighborGrad is a generic loop ~20x slower.
 */
export const upsample2x = tf.customGrad(((x: tf.Tensor4D, save: tf.GradSaveFunc) => {
  save([])
  const [B, H, W, C] = x.shape
  return {
    value: tf.image.resizeNearestNeighbor(x, [2 * H, 2 * W]),
    gradFunc: (dy: tf.Tensor) => tf.sum(tf.reshape(dy, [B, H, 2, W, 2, C]), [2, 4]),
  }
}) as unknown as GradFn) as unknown as (x: tf.Tensor4D) => tf.Tensor4D

function norm(params: UnetParams, name: string, x: tf.Tensor4D, groups: number): tf.Tensor4D {
  return groupNorm(x, param(params, `${name}.gamma`), param(params, `${name}.beta`), groups)
}

function resBlock(params: UnetParams, groups: number, name: string, x: tf.Tensor4D, tembAct: Tensor2D): tf.Tensor4D {
  let h = conv(params, `${name}.conv1`, act(norm(params, `${name}.norm1`, x, groups)))
  const cout = h.shape[3]
  const t = dense(tembAct, param(params, `${name}.temb.W`) as Tensor2D, param(params, `${name}.temb.b`) as Tensor1D)
  h = tf.add(h, tf.reshape(t, [h.shape[0], 1, 1, cout]))
  h = conv(params, `${name}.conv2`, act(norm(params, `${name}.norm2`, h, groups)))
  const skip = x.shape[3] === cout ? x : conv(params, `${name}.skip`, x)
  return tf.add(skip, h)
}

/**
 * eps(x, k) for images: `x` is [B, H, W, channels], `embedding` the sinusoidal step embedding
 * [B, timeEmbeddingDim] (mlp.ts's timeEmbedding). Returns [B, H, W, channels]. Call inside tf.tidy.
 */
export function unetForward(spec: UnetSpec, params: UnetParams, x: tf.Tensor4D, embedding: Tensor2D): tf.Tensor4D {
  const [, H, W, Cx] = x.shape
  if (H !== spec.height || W !== spec.width || Cx !== spec.channels) {
    throw new Error(
      `unet: input is [${x.shape}], the network is for [B, ${spec.height}, ${spec.width}, ${spec.channels}]`,
    )
  }
  if (embedding.shape[0] !== x.shape[0] || embedding.shape[1] !== spec.timeEmbeddingDim) {
    throw new Error(`unet: embedding is [${embedding.shape}], expected [${x.shape[0]}, ${spec.timeEmbeddingDim}]`)
  }
  registerConvGradientKernels()
  const groups = spec.groups
  let temb = dense(embedding, param(params, 'temb.dense0.W') as Tensor2D, param(params, 'temb.dense0.b') as Tensor1D)
  temb = dense(act(temb), param(params, 'temb.dense1.W') as Tensor2D, param(params, 'temb.dense1.b') as Tensor1D)
  // Every block adds a projection of SiLU(temb); computing it once saves a kernel per block.
  const tembAct = act(temb)

  const levels = spec.channelMultipliers.length
  let h = conv(params, 'in.conv', x)
  const skips: tf.Tensor4D[] = [h]
  for (let l = 0; l < levels; l++) {
    for (let r = 0; r < spec.resBlocksPerLevel; r++) {
      h = resBlock(params, groups, `down${l}.res${r}`, h, tembAct)
      skips.push(h)
    }
    if (l < levels - 1) {
      h = spec.downsample === 'conv' ? conv(params, `down${l}.down`, h, 2) : tf.avgPool(h, 2, 2, 'valid')
      skips.push(h)
    }
  }
  h = resBlock(params, groups, 'mid.res0', h, tembAct)
  h = resBlock(params, groups, 'mid.res1', h, tembAct)
  for (let l = levels - 1; l >= 0; l--) {
    for (let r = 0; r <= spec.resBlocksPerLevel; r++) {
      h = resBlock(params, groups, `up${l}.res${r}`, tf.concat([h, skips.pop() as tf.Tensor4D], 3), tembAct)
    }
    if (l > 0) {
      h = conv(params, `up${l}.up`, upsample2x(h))
    }
  }
  return conv(params, 'out.conv', act(norm(params, 'out.norm', h, groups)))
}

/**
 * The same network on flattened images, [B, H*W*channels] in and out (row-major NHWC, as the dataset
 * readers store pixels). The 2D code paths (denoiser, distiller, samplers, losses) work on [B, D] with
 * [B, 1] per-example columns, so this form lets them take the U-Net without reshaping anywhere else.
 */
export function unetForwardFlat(spec: UnetSpec, params: UnetParams, x: Tensor2D, embedding: Tensor2D): Tensor2D {
  const B = x.shape[0]
  const D = spec.height * spec.width * spec.channels
  if (x.shape[1] !== D)
    throw new Error(
      `unet: flat input is [${x.shape}], expected [B, ${D}] (${spec.height}x${spec.width}x${spec.channels})`,
    )
  const eps = unetForward(spec, params, tf.reshape(x, [B, spec.height, spec.width, spec.channels]), embedding)
  return tf.reshape(eps, [B, D])
}
