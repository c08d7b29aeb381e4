/**
 * SplitV on the wasm backend without copying its input once per piece. tfjs-backend-wasm 4.22 splits by
 * slicing, and its Slice reads the input through readSync, which copies the whole tensor out of the wasm heap:
 * splitting a U-Net's 634k parameters into its 104 variables copied 264 MB, and a 2D teacher step took 40 %
 * longer once Adam split one flat update (flat-vars.ts). This kernel copies each piece once, straight from
 * the heap, along any axis (strings go to the package's own kernel).
 *
 * The wasm package is imported before registering, as in conv-kernels.ts: importing it registers its
 * kernels, and a later first import would put its SplitV back.
 */
import '@tensorflow/tfjs-backend-wasm'
import { tf } from './tf'

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array
}

let original: tf.KernelConfig | undefined

const splitV: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo
  const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number }
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0] as number
  if (x.dtype === 'string') {
    if (!original) throw new Error('SplitV (wasm): the package kernel this one defers to is not registered')
    return original.kernelFunc(args)
  }
  const backend = args.backend as unknown as WasmBackendLike
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis) as number[]
  const outer = x.shape.slice(0, $axis).reduce((a, b) => a * b, 1)
  const dim = x.shape[$axis] as number
  const inner = x.shape.slice($axis + 1).reduce((a, b) => a * b, 1)
  let at = 0
  return sizes.map((n) => {
    const shape = x.shape.map((d, i) => (i === $axis ? n : d))
    const out = backend.makeOutput(shape, x.dtype)
    // Views are taken after makeOutput: allocating may grow the heap, which detaches older views.
    const from = backend.typedArrayFromHeap(x)
    const to = backend.typedArrayFromHeap(out)
    const run = n * inner
    // Along the channels (the U-Net's concat gradients) runs are a few dozen values: a plain loop beats
    // a subarray per run (#18: 15 ms against the package's 42 for [64, 28, 28, 96]).
    for (let o = 0; o < outer; o++) {
      const src = (o * dim + at) * inner
      if (run >= 256) to.set(from.subarray(src, src + run), o * run)
      else for (let i = 0, d = o * run; i < run; i++) to[d + i] = from[src + i] as number
    }
    at += n
    return out
  })
}

/** Registers the SplitV above for wasm in place of the package's (kept for strings). Idempotent. */
export function registerWasmSplit(): void {
  const current = tf.getKernel('SplitV', 'wasm')
  if (current?.kernelFunc === splitV) return
  if (current) {
    original = current
    tf.unregisterKernel('SplitV', 'wasm')
  }
  tf.registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc: splitV, setupFunc: current?.setupFunc })
}
