/**
 * The filter gradient of a stride-1 convolution on wasm as im2col + one matrix product per batch chunk (#18):
 *
 *   dW[(i*kw + j)*C + c, f] = sum over grid points p of xp[c, p + i*Wp + j] * dyp[p, f]
 *
 * with xp = x zero-padded to [C, B, Hp, Wp] and dyp = dy zero-padded to [B, Hp, Wp, F] (zeros where the grid
 * has no output), both flattened over (B, Hp, Wp). Every (i, j, c) row of the left-hand side is then one
 * contiguous run of xp, a memcpy, and the product is XNNPACK's GEMM.
 *
 * Why not the forward-conv formulation (conv-kernels.ts), where XNNPACK sees a "convolution" whose filter is
 * dy with the batch as its input channels and whose 28x28 kernel slides over a 3x3 output: measured in CPU
 * time on the default U-Net's layers at batch 64, that took 621 ms where this takes 465, the 1x1 filters
 * 2-3x as long. tfjs-wasm's MatMul is XNNPACK's GEMM only in the plain orientation (a transposed operand
 * takes a naive loop, ~10x slower), hence x laid out [C, ...] by one Transpose kernel; and its Slice copies
 * the whole input through JavaScript before slicing, hence the runs are copied here straight on the heap.
 *
 * The left-hand side is built a batch chunk at a time (at most COLS_BYTES) and the chunks' products summed,
 * so the heap stays small at any batch; XNNPACK's GEMM runs as fast on 4 chunks as on the whole.
 */
import { tf } from './tf'
import type { BackpropFilterAttrs } from './conv-kernels'

/** What the wasm backend offers a kernel written in JavaScript: outputs on its heap, and views of them. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array
}

function isHeapBackend(backend: unknown): backend is HeapBackend {
  const b = backend as Partial<HeapBackend> | null
  return typeof b?.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function'
}

/** Below this many filters the conv formulation is faster (see conv2dBackpropFilterByMatMul). */
export const MIN_FILTERS = 8

/** Largest im2col block, in bytes: 32 MB is 15 images of the default U-Net's widest 3x3 layer (64 channels). */
export const COLS_BYTES = 32 * 2 ** 20

/**
 * cols for images [b0, b0 + nb) into the heap, from xp = x zero-padded and laid out [C, B, Hp, Wp] (stride 1).
 * Column p of the padded grid pairs with x at p + i*Wp + j, so each (i, j, c) row of cols is one contiguous
 * run of xp's channel c: kh*kw*C memcpys. Grid points outside the output (the padding's rows and columns)
 * read neighbouring pixels; dy is zero there, so they add nothing. Reads the views after allocating, since
 * growing the heap detaches views taken before.
 */
function shiftedCols(backend: HeapBackend, xp: tf.Tensor, kh: number, kw: number, b0: number, nb: number): tf.Tensor2D {
  const [C, B, Hp, Wp] = xp.shape as [number, number, number, number]
  const L = B * Hp * Wp
  const n = nb * Hp * Wp
  const info = backend.makeOutput([kh * kw * C, n], 'float32')
  const out = backend.typedArrayFromHeap(info)
  const x = backend.typedArrayFromHeap(xp)
  let k = 0
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const start = b0 * Hp * Wp + i * Wp + j
      // Past the last image the run would leave the channel (or the tensor): zeros, which dy's zeros meet.
      const len = Math.min(n, L - start)
      for (let c = 0; c < C; c++) {
        out.set(x.subarray(c * L + start, c * L + start + len), k)
        if (len < n) out.fill(0, k + len, k + n)
        k += n
      }
    }
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D
}

/** Rows [r0, r0 + rows) of a [R, F] tensor, copied on the heap (tfjs-wasm's Slice copies all of it first). */
function heapRows(backend: HeapBackend, t: tf.Tensor2D, r0: number, rows: number): tf.Tensor2D {
  const F = t.shape[1]
  const info = backend.makeOutput([rows, F], 'float32')
  const out = backend.typedArrayFromHeap(info)
  out.set(backend.typedArrayFromHeap(t).subarray(r0 * F, (r0 + rows) * F))
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D
}

/** The forward convolution a filter gradient belongs to, for an NHWC input of `shape` (dilation 1). */
export function filterGradConvInfo(
  shape: [number, number, number, number],
  attrs: BackpropFilterAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  )
}

/**
 * dW for y = conv2d(x, W) as im2col + MatMul, or null where this does not apply, for the caller to take the
 * forward-conv formulation: a backend without a heap of its own, not float32, a stride above 1 (a strided
 * run is not contiguous; the engine's one strided conv is cheap either way), or fewer than MIN_FILTERS
 * filters (with a 1-column right-hand side the GEMM was no faster than the conv formulation).
 */
export function conv2dBackpropFilterByMatMul(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: BackpropFilterAttrs,
  backend: unknown,
  colsBytes = COLS_BYTES,
): tf.Tensor4D | null {
  if (!isHeapBackend(backend) || x.dtype !== 'float32' || dy.dtype !== 'float32') return null
  const [kh, kw, C, F] = attrs.filterShape
  if (F < MIN_FILTERS) return null
  const nchw = attrs.dataFormat === 'NCHW'
  const [B, H, W] = nchw ? [x.shape[0], x.shape[2], x.shape[3]] : x.shape
  const info = filterGradConvInfo([B, H, W, C], attrs)
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null
  const { outHeight: OH, outWidth: OW, padInfo } = info
  const dyShape = nchw ? [dy.shape[0], dy.shape[2], dy.shape[3], dy.shape[1]] : dy.shape
  const xC = nchw ? x.shape[1] : x.shape[3]
  if (dyShape[0] !== B || dyShape[1] !== OH || dyShape[2] !== OW || dyShape[3] !== F || xC !== C) {
    throw new Error(
      `Conv2DBackpropFilter: dy is [${dy.shape}] and x is [${x.shape}], which do not fit filter [${attrs.filterShape}]`,
    )
  }
  return tf.tidy(() => {
    // NCHW (which the engine does not use) goes through NHWC.
    const xs = nchw ? tf.transpose(x, [0, 2, 3, 1]) : x
    const dys = nchw ? tf.transpose(dy, [0, 2, 3, 1]) : dy
    let dW: tf.Tensor
    if (kh === 1 && kw === 1 && padInfo.top === 0 && padInfo.left === 0 && OH === H && OW === W) {
      // A 1x1 filter over every pixel: cols is x itself, as [C, B*H*W].
      const xt = tf.reshape(tf.transpose(xs, [3, 0, 1, 2]), [C, B * H * W])
      dW = tf.matMul(xt, tf.reshape(dys, [B * H * W, F]))
    } else {
      // The padded grid holds every window: Hp >= OH + kh - 1 rows, Wp >= OW + kw - 1 columns; dy is
      // padded to the same grid with zeros.
      const Hp = Math.max(H + padInfo.top + padInfo.bottom, OH + kh - 1)
      const Wp = Math.max(W + padInfo.left + padInfo.right, OW + kw - 1)
      const xp = tf.transpose(
        tf.pad(xs, [
          [0, 0],
          [padInfo.top, Hp - H - padInfo.top],
          [padInfo.left, Wp - W - padInfo.left],
          [0, 0],
        ]),
        [3, 0, 1, 2],
      )
      const dyp = tf.reshape(
        tf.pad(dys, [
          [0, 0],
          [0, Hp - OH],
          [0, Wp - OW],
          [0, 0],
        ]),
        [B * Hp * Wp, F],
      ) as tf.Tensor2D
      const chunk = Math.max(1, Math.min(B, Math.floor(colsBytes / (kh * kw * C * Hp * Wp * 4))))
      const parts: tf.Tensor[] = []
      for (let b0 = 0; b0 < B; b0 += chunk) {
        const nb = Math.min(chunk, B - b0)
        const cols = shiftedCols(backend, xp, kh, kw, b0, nb)
        const rows = nb === B ? dyp : heapRows(backend, dyp, b0 * Hp * Wp, nb * Hp * Wp)
        parts.push(tf.matMul(cols, rows))
      }
      dW = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.addN(parts)
    }
    return tf.reshape(dW, [kh, kw, C, F])
  })
}
