// `node --import <this file>`: appends the URL of every module the process resolves, one a line, to the file
// named by CLAB_MODULE_TRACE, so a test can tell which packages a command loaded.
import { register } from 'node:module'

const hooks = `
import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  appendFileSync(${JSON.stringify(process.env.CLAB_MODULE_TRACE ?? '')}, resolved.url + '\\n')
  return resolved
}
`
if (process.env.CLAB_MODULE_TRACE) register(`data:text/javascript,${encodeURIComponent(hooks)}`)
