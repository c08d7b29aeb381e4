/**
 * Elementwise updates of many variables as one long vector: on a GPU each kernel costs a launch whatever its
 * size, and an optimizer or EMA over a U-Net's 104 parameters was 3-13 launches per parameter. Elementwise
 * ops give every value the same float result in one vector as in its own tensor, so nothing numeric changes.
 */
import { tf } from './tf'
import { registerWasmSplit } from './wasm-split'

/** The tensors' values end to end, as one vector. */
export function flatten(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  const rows = tensors.map((t) => tf.reshape(t, [-1]))
  return (rows.length === 1 ? rows[0] : tf.concat(rows)) as tf.Tensor1D
}

/** Assigns consecutive pieces of `values` (as flatten lays them out) to `vars`. Call inside tf.tidy. */
export function assignFromFlat(vars: readonly tf.Variable[], values: tf.Tensor1D): void {
  registerWasmSplit()
  const pieces =
    vars.length === 1
      ? [values]
      : tf.split(
          values,
          vars.map((v) => v.size),
        )
  vars.forEach((v, i) => v.assign(tf.reshape(pieces[i] as tf.Tensor, v.shape)))
}
