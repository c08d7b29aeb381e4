import type { EvaluationRecord, MetricBucket, SampleRecord } from '@shared/store/types'

/** Buckets of one point each: step s, value f(s), wall time t0 + s * msPerStep. */
export function buckets(steps: number[], f: (s: number) => number, t0 = 1_000_000, msPerStep = 100): MetricBucket[] {
  return steps.map((s, i) => ({
    index: i,
    start: s,
    end: s,
    count: 1,
    firstStep: s,
    lastStep: s,
    first: f(s),
    last: f(s),
    lastWallMs: t0 + s * msPerStep,
    min: f(s) - 0.5,
    max: f(s) + 0.5,
  }))
}

let nextId = 1
export function evalRecord(
  runId: string,
  step: number,
  model: string,
  metric: string,
  nfe: number,
  value: number,
): EvaluationRecord {
  return { id: nextId++, runId, step, model, metric, nfe, value, createdAt: 0 }
}

export function sampleRecord(
  runId: string,
  id: number,
  step: number,
  nfe: number,
  model = 'student',
  kind = 'points2d',
): SampleRecord {
  return {
    id,
    runId,
    step,
    nfe,
    kind,
    model,
    role: 'preview',
    path: null,
    hasBlob: true,
    bytes: 16,
    noiseSeed: 7,
    createdAt: 0,
  }
}

/** A final evaluation like the engine writes: floor, teacher K = 1, 10, 100 (heun NFE), student 1, 2, 4. */
export function finalEval(
  runId: string,
  step: number,
  studentSwd: number[],
  teacherSwd = [0.9, 0.1, 0.05],
  floor = 0.02,
): EvaluationRecord[] {
  const out: EvaluationRecord[] = [
    evalRecord(runId, step, 'data', 'swd', 0, floor),
    evalRecord(runId, step, 'data', 'msPerSample', 0, 0),
  ]
  ;[2, 20, 200].forEach((nfe, i) => {
    out.push(evalRecord(runId, step, 'teacher', 'swd', nfe, teacherSwd[i] as number))
    out.push(evalRecord(runId, step, 'teacher', 'msPerSample', nfe, nfe * 0.01))
  })
  // written out of NFE order on purpose
  const nfes = [4, 1, 2]
  const vals = [studentSwd[2], studentSwd[0], studentSwd[1]]
  nfes.forEach((nfe, i) => {
    out.push(evalRecord(runId, step, 'student', 'swd', nfe, vals[i] as number))
    out.push(evalRecord(runId, step, 'student', 'energy', nfe, (vals[i] as number) * 2))
    out.push(evalRecord(runId, step, 'student', 'msPerSample', nfe, nfe * 0.01))
  })
  out.push(evalRecord(runId, step, 'student', 'agreement', 1, 0.3))
  return out
}
