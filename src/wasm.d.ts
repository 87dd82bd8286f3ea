// `import m from "*.wasm"` is a compiled WebAssembly.Module in workerd and bundlers that support it.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
