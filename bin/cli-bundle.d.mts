// Types of cli-bundle.mjs, for the TypeScript that reads it (the engine host and the target-side thread).
export const ROOT: URL
export const OUT_DIR: URL
export const MANIFEST: URL
export const ENTRY: URL
export const ENGINE_ENTRY: URL
export const TARGET_WORKER_ENTRY: URL
export function freshBundle(entry?: URL): URL | null
