import { describe, expect, it } from 'vitest'
import { unpackedPath } from '@shared/asar-path'

describe('paths unpacked from the asar archive', () => {
  it('rewrites app.asar to app.asar.unpacked, on either separator, and leaves other paths alone', () => {
    expect(unpackedPath('/opt/Consistency Lab/resources/app.asar/build/x.node')).toBe(
      '/opt/Consistency Lab/resources/app.asar.unpacked/build/x.node',
    )
    expect(unpackedPath('/opt/Lab/resources/app.asar/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/x.js')).toBe(
      '/opt/Lab/resources/app.asar.unpacked/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/x.js',
    )
    expect(unpackedPath('C:\\Program Files\\Lab\\resources\\app.asar\\build\\x.node')).toBe(
      'C:\\Program Files\\Lab\\resources\\app.asar.unpacked\\build\\x.node',
    )
    expect(unpackedPath('/work/node_modules/x.js')).toBe('/work/node_modules/x.js')
    // Only the archive itself: a folder merely named like it is not rewritten.
    expect(unpackedPath('/work/app.asar.bak/x.js')).toBe('/work/app.asar.bak/x.js')
  })
})
