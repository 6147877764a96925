/** A `.wasm` import is a precompiled module in Workers (wrangler's `CompiledWasm` rule). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
