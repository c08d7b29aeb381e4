/** The `config.*` and `system.*` handlers: defaults, presets, validation of a config, and what this lab runs on. */
import { createRequire } from 'node:module'
import type { BackendCandidate } from '@shared/ipc/api'
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { PRESETS } from '@shared/config/presets'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { effectiveDistill } from '@shared/config/effective'
import { APP_VERSION } from '../services/run-service'
import type { HandlerContext, HandlersOf } from './handler-context'

export function systemHandlers({ service, root, options }: HandlerContext): HandlersOf<'config' | 'system'> {
  return {
    'config.defaults': () => ({ distill: DISTILL_DEFAULTS, teacher: TEACHER_DEFAULTS }),
    'config.presets': () => PRESETS,
    'config.validate': async (p) => {
      try {
        const config = p.kind === 'distill' ? parseDistillConfig(p.config) : parseTeacherConfig(p.config)
        // The checks runs.start makes beyond the config itself (teacher, grid top, image dataset): the form
        // never calls valid what launch would refuse.
        await service.checkLaunch(config, 'data-folder')
        if (p.kind === 'distill' && 'teacher' in config) {
          const { config: effective, differs } = effectiveDistill(config)
          return { valid: true, config, effective, overridden: differs, problems: [] }
        }
        return { valid: true, config, effective: config, overridden: [], problems: [] }
      } catch (error) {
        if (error instanceof ConfigError)
          return { valid: false, config: null, effective: null, overridden: [], problems: error.problems }
        throw error
      }
    },
    'system.info': () => ({
      appVersion: options.appVersion ?? APP_VERSION,
      dataDir: root,
      backends: backendCandidates(),
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.versions.node,
    }),
  }
}

const BACKEND_PACKAGES: Array<[BackendCandidate['name'], string]> = [
  ['node-gpu', '@tensorflow/tfjs-node-gpu'],
  ['webgpu', '@tensorflow/tfjs-backend-webgpu'],
  ['node', '@tensorflow/tfjs-node'],
  ['wasm', '@tensorflow/tfjs-backend-wasm'],
  ['cpu', '@tensorflow/tfjs-backend-cpu'],
]

/** The compute backends `auto` tries, in order, and whether each package is installed (not loaded). */
export function backendCandidates(): BackendCandidate[] {
  const require = createRequire(import.meta.url)
  return BACKEND_PACKAGES.map(([name, pkg]) => {
    let installed: boolean
    try {
      require.resolve(pkg)
      installed = true
    } catch {
      installed = false
    }
    return { name, package: pkg, installed }
  })
}
