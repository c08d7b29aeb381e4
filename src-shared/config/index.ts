export * from './fields'
export * from './schemas'
export * from './defaults'
export * from './validate'
export * from "./presets"
export * from "./stored"
