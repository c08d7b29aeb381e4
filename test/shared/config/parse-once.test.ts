/**
 * #16 a config is parsed once per process: the CLI's parsed config reaching the run service, or a service's
 * config handed on, is not checked again while it is unchanged; a changed one, or one built elsewhere, is.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'

describe('#16 parse once', () => {
  it('#16 parsing a parsed config returns it as it is', () => {
    const config = parseDistillConfig({ dataset: 'moons', algorithm: 'ict', steps: 50 })
    expect(parseDistillConfig(config)).toBe(config)
    const teacher = parseTeacherConfig({ dataset: 'moons' })
    expect(parseTeacherConfig(teacher)).toBe(teacher)
  })

  it('#16 a parsed config changed since is checked again; an equal copy is parsed as new input', () => {
    const config = parseDistillConfig({ dataset: 'moons' })
    const copy = { ...config }
    expect(parseDistillConfig(copy)).not.toBe(copy)
    expect(parseDistillConfig(copy)).toEqual(config)
    ;(config as { numScales: number }).numScales = 1
    expect(() => parseDistillConfig(config)).toThrow(ConfigError)
  })

  it('#16 a config parsed as one kind is checked as the other', () => {
    const teacher = parseTeacherConfig({ dataset: 'moons' })
    expect(() => parseDistillConfig(teacher)).toThrow(ConfigError)
  })
})
