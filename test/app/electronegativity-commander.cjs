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
  if (request === 'commander' && parent && typeof parent.filename === 'string' && parent.filename.startsWith(egDir + path.sep)) {
    return oldCommander
  }
  return resolveFilename.call(this, request, parent, ...rest)
}
