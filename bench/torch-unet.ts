/**
 * PyTorch CPU beside the image bench (#18): bench/torch_unet_ref.py times the engine's default U-Net, layer
 * for layer the same network, on the same teacher and CD Heun steps, so images-bench.ts prints ours / torch
 * measured in the same run. Absent torch is a reason, not a failure, as for bench.ts's 2D reference.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface TorchUnetFigures {
  parameters: number
  batch: number
  threads: number
  teacherStepMs: number
  cdStepHeunMs: number
}

/** Intra-op threads torch gets: the 2 cores the wasm engine's CD step also uses (main + target-side thread). */
export const TORCH_THREADS = 2

/**
 * Times torch_unet_ref.py at `batch`; a string says why it could not. Refuses figures of a network whose
 * parameter count is not the engine's, so a drift between unet.ts and the reference cannot pass unseen.
 */
export function torchUnetReference(options: {
  batch: number
  timedSteps: number
  baseChannels: number
  engineParameters: number
}): TorchUnetFigures | string {
  const script = fileURLToPath(new URL('./torch_unet_ref.py', import.meta.url))
  if (!existsSync(script)) return `reference script not found at ${script}`
  // Debian's python3-torch lives under /usr/bin/python3; a pyenv python3 earlier on PATH may lack it.
  const python = ['/usr/bin/python3', 'python3'].find(
    (exe) => spawnSync(exe, ['-c', 'import torch'], { stdio: 'ignore', env: torchEnv() }).status === 0,
  )
  if (!python) return 'python3 with torch not found (Debian: apt-get install python3-torch libopenblas0-pthread)'
  const args = [script, options.batch, options.timedSteps, TORCH_THREADS, options.baseChannels].map(String)
  const result = spawnSync(python, args, { encoding: 'utf8', timeout: 900_000, env: torchEnv() })
  if (result.status !== 0) {
    const why = (result.stderr || result.error?.message || '').split('\n').filter(Boolean).pop() ?? 'unknown error'
    return `python3 torch U-Net reference did not run (${why})`
  }
  const match = /params=(\d+) batch=(\d+) threads=(\d+) teacher_train=([\d.]+) cd_heun=([\d.]+)/.exec(result.stdout)
  if (!match) return `could not read the torch U-Net reference output: ${result.stdout.trim()}`
  const [parameters, batch, threads, teacherStepMs, cdStepHeunMs] = match.slice(1).map(Number) as number[]
  if (parameters !== options.engineParameters)
    return `the torch U-Net has ${parameters} parameters, the engine's ${options.engineParameters}: not the same network`
  return {
    parameters: parameters as number,
    batch: batch as number,
    threads: threads as number,
    teacherStepMs: teacherStepMs as number,
    cdStepHeunMs: cdStepHeunMs as number,
  }
}

/**
 * Debian's torch links OpenBLAS. This workplace's shell pins OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for other
 * tools; the reference runs with OpenBLAS's own CPU detection, as on a plain Debian machine.
 */
function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.OPENBLAS_CORETYPE
  delete env.OPENBLAS_L2_SIZE
  return env
}
