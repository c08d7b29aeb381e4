/**
 * `clab`: the Consistency Lab command line. Exit codes: 0 success, 1 failed run, 2 invalid arguments
 * (the message names the flag).
 */
import { CommanderError } from 'commander'
import { EXIT_FAILED, EXIT_USAGE, UsageError } from './args'
import { buildProgram } from './program'

export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | null = null
  const program = buildProgram((code) => {
    pending = code
  })
  try {
    await program.parseAsync(argv, { from: 'user' })
    if (argv.length === 0) {
      program.outputHelp()
      return EXIT_USAGE
    }
    return pending ? await pending : 0
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? 0
        : EXIT_USAGE
    }
    if (error instanceof UsageError) {
      process.stderr.write(`clab: ${error.message}\n`)
      return EXIT_USAGE
    }
    process.stderr.write(`clab: ${error instanceof Error ? error.message : String(error)}\n`)
    if (process.env.CLAB_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`)
    return EXIT_FAILED
  }
}

process.exitCode = await main(process.argv.slice(2))
