// Preloaded (`node -r`) when running the electronegativity CLI in test/app/electronegativity.test.ts.
// @doyensec/electronegativity 1.10.3 requires `commander` without declaring it and uses the commander <= 6
// API (`program.version(...)`, options as properties of the program). In this project `commander` resolves
// to the CLI's commander 14, where that API is gone ("_commander2.default.version is not a function"), so
// requests for `commander` coming from electronegativity's own files are pointed at the commander 5 that its
// dependency @electron/asar ships.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file preloaded with `node -r` */
const Module = require('node:module')
const path = require('node:path')

const egDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'))
const asarDir = path.dirname(require.resolve('@electron/asar/package.json', { paths: [egDir] }))
const oldCommander = require.resolve('commander', { paths: [asarDir] })

const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, parent, ...rest) {
  if (
    request === 'commander' &&
    parent &&
    typeof parent.filename === 'string' &&
    parent.filename.startsWith(egDir + path.sep)
  ) {
    return oldCommander
  }
  return resolveFilename.call(this, request, parent, ...rest)
}

// Its CSV report is written by two unawaited `fs.writeFile` calls on the same file: the header (flag 'w')
// and then the rows (flag 'a'). They race, and on a loaded machine the header can land over the rows (CI
// saw a row cut short). Its own files get synchronous writes here, so the header is written first, then the
// rows; the callback still runs asynchronously as the caller expects.
const fs = require('node:fs')
const writeFile = fs.writeFile
fs.writeFile = function (file, data, options, callback) {
  const stack = new Error().stack ?? ''
  if (typeof file === 'string' && file.endsWith('.csv') && stack.includes(egDir)) {
    const done = typeof options === 'function' ? options : callback
    let error = null
    try {
      fs.writeFileSync(file, data, typeof options === 'function' ? undefined : options)
    } catch (e) {
      error = e
    }
    if (done) process.nextTick(done, error)
    return
  }
  return writeFile.call(this, file, data, options, callback)
}
