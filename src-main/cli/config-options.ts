/**
 * The CLI options of config fields, read from the field registry: flag, argument, help with the default,
 * and the parser its kind needs. A sweep parses its sweepable fields as comma-separated lists.
 */
import type { Command } from 'commander'
import type { FieldSpec } from '@shared/config/registry'
import { nullWordArg, numberArg, numberListArg } from './args'

export interface ConfigOptionsOptions {
  /** The default as help shows it (absent: none shown). */
  defaultText: (spec: FieldSpec) => string | undefined
  /** The parser of sweepable fields (a sweep's lists); others parse one number. */
  sweepable?: (value: string) => number | number[]
}

function parserOf(spec: FieldSpec, options: ConfigOptionsOptions): ((value: string) => unknown) | undefined {
  if (spec.sweepable && options.sweepable) return options.sweepable
  const word = spec.cli?.nullWord
  switch (spec.kind) {
    case 'int':
    case 'number':
      return numberArg
    case 'optional-number':
      return word ? nullWordArg(word) : numberArg
    case 'number-list':
    case 'int-list':
      return numberListArg
    default:
      return undefined
  }
}

/** Adds an option per field that has a flag, in the registry's order. */
export function addConfigOptions(
  command: Command,
  specs: readonly FieldSpec[],
  options: ConfigOptionsOptions,
): Command {
  for (const spec of specs) {
    const cli = spec.cli
    if (!cli) continue
    const flags = `${cli.flag} ${cli.arg}`
    const shown = cli.required ? undefined : options.defaultText(spec)
    const help = shown === undefined ? cli.help : `${cli.help} (default ${shown})`
    const parse = parserOf(spec, options)
    if (cli.required) command.requiredOption(flags, help)
    else if (parse) command.option(flags, help, parse as (value: string, previous: unknown) => unknown)
    else command.option(flags, help)
  }
  return command
}
