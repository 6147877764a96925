/**
 * The standard `WebAssembly` namespace, typed locally for the exporter and its tests: the project's
 * tsconfig has no DOM lib, which is where TypeScript declares it. Only what this package calls.
 */

/** A compiled module (`WebAssembly.Module`). */
export type WasmModule = object;

/** An instance (`WebAssembly.Instance`): its exports by name. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** A linear memory (`WebAssembly.Memory`). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The functions and constructors of the namespace that this package uses. */
export interface WebAssemblyApi {
  Module: new (bytes: ArrayBuffer | ArrayBufferView) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, never>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: ArrayBuffer | ArrayBufferView): boolean;
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<WasmModule>;
}

/** `globalThis.WebAssembly`, typed. */
export const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Instantiates bytes synchronously with no imports (what every scorer module must allow). */
export function instantiateBytes(bytes: Uint8Array): WasmInstance {
  return new webAssembly.Instance(new webAssembly.Module(bytes), {});
}
