/**
 * Plain-JavaScript kernels for the dense layer and SiLU, used on tfjs's pure-JS `cpu` backend only.
 * That backend's BatchMatMul runs a generic strided loop (~0.3 GFLOP/s for 256^3) and its elementwise
 * kernels pay broadcasting bookkeeping per element; these loops are row-contiguous and unrolled, which
 * V8 compiles to several times the throughput. Everything is sequential, so results are deterministic.
 * Inputs are never written to (on the cpu backend dataSync() hands out the tensor's own buffer).
 */

/**
 * C[M,N] = op(A) B (+ bias), with op(A) = A [M,K] or, if `transposeA`, A^T for A stored as [K,M].
 * Row form C[i,:] += a_ik B[k,:], four k at a time.
 */
export function gemm(
  A: Float32Array,
  B: Float32Array,
  M: number,
  K: number,
  N: number,
  transposeA: boolean,
  bias: Float32Array | null,
): Float32Array {
  const C = new Float32Array(M * N)
  // a_ik lives at A[i * rowStep + k * colStep].
  const rowStep = transposeA ? 1 : K
  const colStep = transposeA ? M : 1
  for (let i = 0; i < M; i++) {
    const c0 = i * N
    if (bias) for (let j = 0; j < N; j++) C[c0 + j] = bias[j] as number
    const a0 = i * rowStep
    let k = 0
    for (; k + 3 < K; k += 4) {
      const a1 = A[a0 + k * colStep] as number
      const a2 = A[a0 + (k + 1) * colStep] as number
      const a3 = A[a0 + (k + 2) * colStep] as number
      const a4 = A[a0 + (k + 3) * colStep] as number
      const b1 = k * N
      const b2 = b1 + N
      const b3 = b2 + N
      const b4 = b3 + N
      for (let j = 0; j < N; j++) {
        C[c0 + j] =
          (C[c0 + j] as number) +
          a1 * (B[b1 + j] as number) +
          a2 * (B[b2 + j] as number) +
          a3 * (B[b3 + j] as number) +
          a4 * (B[b4 + j] as number)
      }
    }
    for (; k < K; k++) {
      const a = A[a0 + k * colStep] as number
      const b1 = k * N
      for (let j = 0; j < N; j++) C[c0 + j] = (C[c0 + j] as number) + a * (B[b1 + j] as number)
    }
  }
  return C
}

/** B^T for B stored as [rows, cols]. */
export function transpose(B: Float32Array, rows: number, cols: number): Float32Array {
  const T = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    const r0 = r * cols
    for (let c = 0; c < cols; c++) T[c * rows + r] = B[r0 + c] as number
  }
  return T
}

/** Column sums of a [rows, cols] matrix. */
export function columnSums(A: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float64Array(cols)
  for (let r = 0; r < rows; r++) {
    const r0 = r * cols
    for (let c = 0; c < cols; c++) out[c] = (out[c] as number) + (A[r0 + c] as number)
  }
  return Float32Array.from(out)
}

/** SiLU forward: returns [y, s] with s = sigmoid(x), y = x s. */
export function siluForward(x: Float32Array): [Float32Array, Float32Array] {
  const n = x.length
  const y = new Float32Array(n)
  const s = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const v = x[i] as number
    const sig = 1 / (1 + Math.exp(-v))
    s[i] = sig
    y[i] = v * sig
  }
  return [y, s]
}

/** SiLU backward: dy s (1 + x (1 - s)). */
export function siluBackward(dy: Float32Array, x: Float32Array, s: Float32Array): Float32Array {
  const n = dy.length
  const dx = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const sig = s[i] as number
    dx[i] = (dy[i] as number) * sig * (1 + (x[i] as number) * (1 - sig))
  }
  return dx
}
