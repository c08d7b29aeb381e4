/**
 * SplitV on the wasm backend without copying its input once per piece. tfjs-backend-wasm 4.22 splits by
 * slicing, and its Slice reads the input through readSync, which copies the whole tensor out of the wasm heap:
 * splitting a U-Net's 634k parameters into its 104 variables copied 264 MB, and a 2D teacher step took 40 %
 * longer once Adam split one flat update (flat-vars.ts). This kernel copies each piece once, straight from
 * the heap; splits along another axis than the first go to the package's own kernel.
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
  const first = tf.util.parseAxisParam(axis, x.shape)[0] === 0
  if (!first || x.dtype === 'string') {
    if (!original) throw new Error('SplitV (wasm): the package kernel this one defers to is not registered')
    return original.kernelFunc(args)
  }
  const backend = args.backend as unknown as WasmBackendLike
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, 0) as number[]
  const inner = x.shape.slice(1).reduce((a, b) => a * b, 1)
  let at = 0
  return sizes.map((rows) => {
    const out = backend.makeOutput([rows, ...x.shape.slice(1)], x.dtype)
    // Views are taken after makeOutput: allocating may grow the heap, which detaches older views.
    const from = backend.typedArrayFromHeap(x)
    backend.typedArrayFromHeap(out).set(from.subarray(at * inner, (at + rows) * inner))
    at += rows
    return out
  })
}

/** Registers the SplitV above for wasm in place of the package's (kept for the other axes). Idempotent. */
export function registerWasmSplit(): void {
  const current = tf.getKernel('SplitV', 'wasm')
  if (current?.kernelFunc === splitV) return
  if (current) {
    original = current
    tf.unregisterKernel('SplitV', 'wasm')
  }
  tf.registerKernel({ kernelName: 'SplitV', backendName: 'wasm', kernelFunc: splitV, setupFunc: current?.setupFunc })
}
