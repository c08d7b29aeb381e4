/**
 * Convolution gradients that train on every backend the app offers, expressed as forward convolutions.
 *
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so `tf.conv2d`'s filter gradient throws there
 * and no conv model could train on wasm. Its Conv2DBackpropInput exists but is a naive loop, ~10x slower
 * than its XNNPACK Conv2D; the cpu backend's Conv2DBackpropFilter reads element by element through
 * TensorBuffer.get, ~40x slower than its own Conv2D. Both gradients are convolutions themselves:
 *
 *   dX = conv2d(dilate(dy, stride), flip(W) with in/out swapped, stride 1)             (the "full" correlation)
 *   dW = conv2d(pad(x) as [C, H, W, B], dy as a [OH, OW, B, F] filter, dilation = stride), cropped to kh x kw
 *
 * so this file registers kernels that build them from Conv2D (plus pad / reshape / transpose):
 *   wasm    Conv2DBackpropFilter (missing)   Conv2DBackpropInput (replaces the naive loop)
 *           (the filter gradient of stride-1 convs is im2col + MatMul instead, conv-filter-grad.ts: faster)
 *   cpu     Conv2DBackpropFilter (replaces the element-by-element loop)
 *   webgpu  Conv2DBackpropFilter (replaces a naive per-filter-value loop)
 * Replaced kernels stay reachable as a fallback for paddings the formula does not cover (negative
 * "full" padding, which only odd explicit paddings produce). tfjs-node's native kernels are left alone.
 *
 * The kernels call ops: the engine runs a kernel with the gradient tape off and accepts a Tensor as its
 * output, and the intermediates are tidied. Registration is global (the registry is keyed by backend
 * name whether or not that backend has been loaded) and idempotent. The wasm package is imported here,
 * before registering, because importing it registers its kernels and would overwrite ours if it came later
 * (backend.ts imports it lazily; that import is then a no-op).
 */
import '@tensorflow/tfjs-backend-wasm'
import { conv2dBackpropFilterByMatMul, filterGradConvInfo } from './conv-filter-grad'
import { tf } from './tf'

/** Kernels a conv model's training step needs beyond the elementwise / reduction ones every backend has. */
export const CONV_TRAINING_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'AvgPool',
  'AvgPoolGrad',
  'ResizeNearestNeighbor',
  'ResizeNearestNeighborGrad',
] as const

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding
type Rounding = 'floor' | 'round' | 'ceil' | undefined

export interface BackpropFilterAttrs {
  strides: [number, number] | number
  pad: Pad
  dataFormat?: 'NHWC' | 'NCHW'
  dimRoundingMode?: Rounding
  filterShape: [number, number, number, number]
}

export interface BackpropInputAttrs {
  strides: [number, number] | number
  pad: Pad
  dataFormat?: 'NHWC' | 'NCHW'
  dimRoundingMode?: Rounding
  inputShape: [number, number, number, number]
}

const toNhwc = (t: tf.Tensor4D): tf.Tensor4D => tf.transpose(t, [0, 2, 3, 1])
const toNchw = (t: tf.Tensor4D): tf.Tensor4D => tf.transpose(t, [0, 3, 1, 2])

/** Inserts stride-1 zeros between rows and between columns: [B, OH, OW, F] -> [B, (OH-1)sh+1, (OW-1)sw+1, F]. */
function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy
  const [B, OH, OW, F] = dy.shape
  const spread = tf.pad(tf.reshape(dy, [B, OH, 1, OW, 1, F]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ])
  return tf.slice(
    tf.reshape(spread, [B, OH * sh, OW * sw, F]) as tf.Tensor4D,
    [0, 0, 0, 0],
    [B, (OH - 1) * sh + 1, (OW - 1) * sw + 1, F],
  )
}

/** dW for y = conv2d(x, W): always expressible (the forward's padding is never negative). */
export function conv2dBackpropFilterByConv(x: tf.Tensor4D, dy: tf.Tensor4D, attrs: BackpropFilterAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw = attrs.dataFormat === 'NCHW'
    const xs = nchw ? toNhwc(x) : x
    const dys = nchw ? toNhwc(dy) : dy
    const [kh, kw, C, F] = attrs.filterShape
    const info = filterGradConvInfo(xs.shape, attrs)
    const { top, bottom, left, right } = info.padInfo
    if (dys.shape[1] !== info.outHeight || dys.shape[2] !== info.outWidth || dys.shape[3] !== F || xs.shape[3] !== C) {
      throw new Error(
        `Conv2DBackpropFilter: dy is [${dys.shape}] and x is [${xs.shape}], which do not fit filter [${attrs.filterShape}]`,
      )
    }
    const padded =
      top + bottom + left + right > 0
        ? tf.pad(xs, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ])
        : xs
    // Batch becomes the contraction ("channel") axis and channels become the batch.
    const input = tf.transpose(padded, [3, 1, 2, 0])
    const filter = tf.transpose(dys, [1, 2, 0, 3])
    const full = tf.conv2d(input, filter, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth])
    // Rows past (OH-1)*stride + kh (padding the forward never reached) are cropped.
    const cropped = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [C, kh, kw, F])
    return tf.transpose(cropped, [1, 2, 0, 3])
  })
}

/** dX for y = conv2d(x, W), or null when the "full" correlation would need negative padding. */
export function conv2dBackpropInputByConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: BackpropInputAttrs,
): tf.Tensor4D | null {
  const nchw = attrs.dataFormat === 'NCHW'
  const shape = attrs.inputShape
  const inputShape: [number, number, number, number] = nchw ? [shape[0], shape[2], shape[3], shape[1]] : shape
  const [kh, kw] = filter.shape
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  )
  const { top, left } = info.padInfo
  const [, H, W] = inputShape
  const sh = info.strideHeight
  const sw = info.strideWidth
  const padTop = kh - 1 - top
  const padLeft = kw - 1 - left
  const padBottom = H - 1 + top - (info.outHeight - 1) * sh
  const padRight = W - 1 + left - (info.outWidth - 1) * sw
  if (Math.min(padTop, padLeft, padBottom, padRight) < 0) return null
  return tf.tidy(() => {
    const dys = nchw ? toNhwc(dy) : dy
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2])
    const dx = tf.conv2d(dilate(dys, sh, sw), flipped, 1, [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ])
    return nchw ? toNchw(dx) : dx
  })
}

/** A kernel's input as a Tensor (gradient code passes Tensors; a bare TensorInfo is wrapped). */
function asTensor<T extends tf.Tensor>(t: tf.TensorInfo): T {
  return (t instanceof tf.Tensor ? t : tf.engine().makeTensorFromTensorInfo(t)) as T
}

const backpropFilter: tf.KernelFunc = ({ inputs, attrs }) =>
  conv2dBackpropFilterByConv(
    asTensor(inputs.x as tf.TensorInfo),
    asTensor(inputs.dy as tf.TensorInfo),
    attrs as unknown as BackpropFilterAttrs,
  )

/** On wasm as im2col + MatMul (conv-filter-grad.ts), the conv formulation where that does not apply. */
const backpropFilterWasm: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const x = asTensor<tf.Tensor4D>(inputs.x as tf.TensorInfo)
  const dy = asTensor<tf.Tensor4D>(inputs.dy as tf.TensorInfo)
  const filterAttrs = attrs as unknown as BackpropFilterAttrs
  return conv2dBackpropFilterByMatMul(x, dy, filterAttrs, backend) ?? conv2dBackpropFilterByConv(x, dy, filterAttrs)
}

const backpropInputWasm: tf.KernelFunc = (args) => {
  const dy = asTensor<tf.Tensor4D>(args.inputs.dy as tf.TensorInfo)
  const filter = asTensor<tf.Tensor4D>(args.inputs.filter as tf.TensorInfo)
  const dx = conv2dBackpropInputByConv(dy, filter, args.attrs as unknown as BackpropInputAttrs)
  if (dx) return dx
  const original = replaced.get('Conv2DBackpropInput/wasm')
  if (!original)
    throw new Error("Conv2DBackpropInput: this padding needs the wasm backend's own kernel, which is not registered")
  return original.kernelFunc(args)
}

const OURS: Array<[kernelName: string, backendName: string, kernelFunc: tf.KernelFunc]> = [
  ['Conv2DBackpropFilter', 'wasm', backpropFilterWasm],
  ['Conv2DBackpropFilter', 'cpu', backpropFilter],
  // tfjs-webgpu's own filter gradient is one naive loop per filter value: 242 of 274 ms of GPU time in a
  // U-Net teacher step on an H200 (shared/reference/gpu-webgpu.md), where its forward conv takes ~0.1 ms.
  ['Conv2DBackpropFilter', 'webgpu', backpropFilter],
  ['Conv2DBackpropInput', 'wasm', backpropInputWasm],
]

/** The kernels ours replaced, by `name/backend`, for the paddings ours do not cover. */
const replaced = new Map<string, tf.KernelConfig>()

/**
 * Registers the conv-gradient kernels above for wasm and cpu. Cheap and idempotent: it re-registers only
 * a kernel that is not ours (never registered, or overwritten by a later registration).
 */
export function registerConvGradientKernels(): void {
  for (const [kernelName, backendName, kernelFunc] of OURS) {
    const current = tf.getKernel(kernelName, backendName)
    if (current?.kernelFunc === kernelFunc) continue
    if (current) {
      replaced.set(`${kernelName}/${backendName}`, current)
      tf.unregisterKernel(kernelName, backendName)
    }
    // A wasm kernel binds its C function in setupFunc when the backend starts; keeping it keeps the
    // replaced kernel usable as the fallback.
    tf.registerKernel({ kernelName, backendName, kernelFunc, setupFunc: current?.setupFunc })
  }
}

/**
 * Whether `kernelName` on `backendName` is one of the kernels above: built from other kernels, which a
 * profile lists on their own, so it launches no device work itself (bench/step-timing.ts counts launches).
 */
export function isComposedKernel(kernelName: string, backendName: string): boolean {
  const current = tf.getKernel(kernelName, backendName)?.kernelFunc
  return current !== undefined && OURS.some(([k, b, f]) => k === kernelName && b === backendName && f === current)
}

export class ConvBackendError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConvBackendError'
  }
}

/**
 * Refuses a backend that cannot train a conv model, naming what is missing and what to pick instead.
 * With the kernels above registered, cpu and wasm pass; tfjs-node (`tensorflow`) has all of them natively.
 */
export function assertBackendTrainsConv(backendName: string = tf.getBackend()): void {
  registerConvGradientKernels()
  const missing = CONV_TRAINING_KERNELS.filter((k) => !tf.getKernel(k, backendName))
  if (missing.length > 0) {
    throw new ConvBackendError(
      `backend "${backendName}" cannot train a conv model: tfjs has no ${missing.join(', ')} kernel for it. ` +
        'Pick wasm or cpu (or node / node-gpu where installed) for image datasets.',
    )
  }
}
