/**
 * The one import of TensorFlow.js for the engine. `@tensorflow/tfjs` brings tfjs-core with every gradient
 * registered and the cpu backend; the wasm backend registers itself on import in backend.ts.
 */
import * as tf from '@tensorflow/tfjs'

export { tf }
export type Tensor = tf.Tensor
export type Tensor1D = tf.Tensor1D
export type Tensor2D = tf.Tensor2D
