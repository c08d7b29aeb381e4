/**
 * The engine's own WGSL kernels for tfjs-backend-webgpu: its program objects (variableNames, outputShape,
 * dispatch, getUserCode), built here without importing the package, which is loaded only once Dawn is
 * exposed as navigator.gpu (backend-webgpu.ts). The backend prepends the storage bindings (one array per
 * variable name, `result` for the output), a `uniforms` struct (`uniforms.size`: the output's length) and
 * helpers such as setOutputAtIndex, and calls the user code's `main(index)` with the flat invocation index.
 * WebGPU refuses a binding the shader never reads, so every input must be read and `uniforms` used.
 */
import { tf } from './tf'

export interface Program {
  variableNames: string[]
  outputShape: number[]
  shaderKey: string
  dispatchLayout: { x: number[] }
  dispatch: [number, number, number]
  workgroupSize: [number, number, number]
  size: boolean
  getUserCode(): string
}

export interface WebGpuBackendLike {
  runWebGPUProgram(program: Program, inputs: tf.TensorInfo[], dtype: 'float32'): tf.TensorInfo
}

/** Threads per workgroup. */
export const WG = 64

/** `workgroups` workgroups of WG threads writing `outputs` values (a reduction: the threads share the work). */
export function reduction(name: string, inputs: string[], outputs: number, workgroups: number, code: string): Program {
  return {
    variableNames: inputs,
    outputShape: [outputs],
    shaderKey: name,
    dispatchLayout: { x: [0] },
    dispatch: [workgroups, 1, 1],
    workgroupSize: [WG, 1, 1],
    size: true,
    getUserCode: () => code,
  }
}

/** One thread per output value. */
export function elementwise(name: string, inputs: string[], shape: number[], code: string): Program {
  const size = shape.reduce((a, b) => a * b, 1)
  return {
    variableNames: inputs,
    outputShape: shape,
    shaderKey: name,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WG), 1, 1],
    workgroupSize: [WG, 1, 1],
    size: true,
    getUserCode: () => code,
  }
}

/** `names` of a kernel's inputs, in order, refusing a missing one by name. */
export function inputsOf(kernel: string, inputs: tf.NamedTensorInfoMap, ...names: string[]): tf.TensorInfo[] {
  return names.map((n) => {
    const t = inputs[n]
    if (!t) throw new Error(`${kernel}: input ${n} is missing`)
    return t
  })
}

/** Runs a registered kernel by name (so tf.profile lists it like any tfjs kernel). */
export function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: object = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor
}
