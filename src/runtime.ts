// Loads build/wasmnn.wasm once and hands out its exports and fresh views of its memory.
// Views are re-made whenever memory.grow has replaced (detached) the buffer.

type KernelFn = (...args: number[]) => number;
/** Names of the Wasm module's functions (see assembly/index.ts); every one takes and returns numbers. */
const KERNEL_NAMES = [
  "alloc", "allocHigh", "free", "maxAlloc", "f32_add", "f32_pad2d", "f32_phase_split", "f32_phase_merge", "f32_clamp", "f32_linear", "f32_linear_gemm", "f32_linear_gemm_workspace",
  "f32_conv2d_packed_size", "f32_conv2d_pack", "f32_conv2d_igemm", "f32_conv2d_igemm_workspace", "f32_conv2d_ref",
  "f32_dwconv2d", "f32_dwconv2d_workspace", "f32_dwconv2d_c4", "f32_dwconv2d_c4_workspace",
  "f32_maxpool2d", "f32_avgpool2d", "f32_adaptive_avgpool2d", "f32_adaptive_maxpool2d",
  "f32_channel_stats", "f32_channel_affine",
  "f32_winograd_f2x3_packed_size", "f32_winograd_f2x3_pack", "f32_winograd_f2x3_workspace", "f32_conv2d_winograd_f2x3",
  "f32_winograd_f4x3_packed_size", "f32_winograd_f4x3_pack", "f32_winograd_f4x3_workspace", "f32_conv2d_winograd_f4x3",
  "f32_winograd_s2k7_packed_size", "f32_winograd_s2k7_pack", "f32_winograd_s2k7_workspace", "f32_conv2d_winograd_s2k7",
  "f32_scale_rows",
  // issue #11's op families: each adds its names directly under its own marker
  // [elementwise]
  "f32_binary", "f32_binary_scalar", "f32_unary",

  // [activation]
  "f32_activation", "f32_prelu", "f32_softmax", "f32_softmax_workspace",

  // [shape]
  "xx_copy_rows", "xx_gather", "xx_gather_desc",

  // [reduce]
  "f32_reduce", "f32_arg_reduce", "f32_matmul", "f32_matmul_workspace", "f32_bilinear", "f32_embedding",

  // [norm]
  "f32_layer_norm", "f32_group_norm", "f32_local_response_norm", "f32_normalize",

  // [conv-transpose]
  "f32_phase_merge_w2", "f32_phase_fill",

  // [resample]
  "f32_resize_separable", "f32_resize_nearest", "f32_resize_aa_pass", "f32_resize_bilinear_cl", "x32_pixel_shuffle",

] as const;
/** The Wasm module's exports. */
export type Kernels = { memory: WebAssembly.Memory } & Record<(typeof KERNEL_NAMES)[number], KernelFn>;

/**
 * A fetch Response, recognised by shape: touching the global `Response` in Node loads its whole
 * fetch implementation (undici), which cost ~10 ms of cold start.
 */
function isResponse(value: unknown): value is Response {
  return value !== null && typeof value === "object" && typeof (value as Response).arrayBuffer === "function" &&
    typeof (value as Response).headers === "object" && !(value instanceof URL);
}

/** Bytes of a .wasm file: lib.dom's `BufferSource`, spelled so the published types need no lib "dom". */
export type WasmBytes = ArrayBuffer | ArrayBufferView<ArrayBuffer>;

/** What `init` accepts: a compiled module (required on Cloudflare Workers), bytes, a URL, a file path or a fetch Response. */
export type WasmSource = WebAssembly.Module | WasmBytes | URL | string | Response;

// The published .d.ts must compile in a Node project's usual tsconfig (lib ["ES2022"] + @types/node,
// no "dom"), which has no WebAssembly namespace: declare the two names the types mention. Empty
// interfaces merge with lib.dom's where it is loaded, so browser projects see the full types.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace WebAssembly {
    interface Module {}
    interface Memory {}
  }
}

let kernels: Kernels | null = null;
let pending: Promise<void> | null = null;

/** The instantiated kernels; throws a clear error before `init()` has finished. */
export function wasm(): Kernels {
  if (kernels === null) throw new Error("wasmnn is not initialised: call `await init()` before creating tensors or modules");
  return kernels;
}

export function isInitialised(): boolean {
  return kernels !== null;
}

/**
 * Instantiates the module from `source` (or from `defaultSource()` when none is given) once;
 * later calls return the same promise's result. The module has no imports.
 */
export interface Platform {
  /** Where the .wasm comes from when `init()` is given nothing. */
  defaultSource(build: WasmBuild): Promise<WasmSource>;
  /** Reads a file path or file: URL (Node, Deno); absent where there is no file system. */
  readFile?(location: URL | string): Promise<WasmBytes>;
}

/**
 * The two builds: "simd128" (default) uses only deterministic instructions, so every runtime gives
 * the same bits; "relaxed-simd" lets the engine fuse multiply-adds (faster, not bit-reproducible).
 */
export type WasmBuild = "simd128" | "relaxed-simd";

/**
 * What every entry's `init` takes: nothing, `{ module }`, the source itself, or `{ relaxed: true }`
 * to use the relaxed-SIMD build where the engine validates it (else the default build is used).
 */
export type InitOptions = WasmSource | { module?: WasmSource; relaxed?: boolean; memory?: MemoryMode };

/**
 * "fast" (default): modules keep kernel-ready copies of their weights (packed GEMM panels,
 * Winograd-transformed kernels, Conv+BatchNorm folds) between calls. "lean": each weight is held
 * once, in PyTorch's layout; kernels pack what they need per call, a few output channels at a time,
 * into one small shared buffer (same kernels, same bits, less memory, some time per call).
 */
export type MemoryMode = "fast" | "lean";
let mode: MemoryMode = "fast";

/** The memory mode set by the last init({ memory }). */
export function memoryMode(): MemoryMode {
  return mode;
}

let loadedBuild: WasmBuild = "simd128";

/** Which build init() loaded: "relaxed-simd" only if asked for and the engine accepted it. */
export function backend(): WasmBuild {
  wasm();
  return loadedBuild;
}

/** Loads the kernels once per process (idempotent), from `options` or the platform's default. */
export function initWith(options: InitOptions | undefined, platform: Platform): Promise<void> {
  const isOptions = options !== null && typeof options === "object" && !(options instanceof URL) &&
    !(options instanceof WebAssembly.Module) && !ArrayBuffer.isView(options) && !(options instanceof ArrayBuffer) &&
    !isResponse(options);
  if (isOptions) {
    const unknown = Object.keys(options).filter((key) => key !== "module" && key !== "relaxed" && key !== "memory");
    if (unknown.length > 0) throw new TypeError(`init(): unknown option ${unknown.map((k) => `'${k}'`).join(", ")}; expected { module, relaxed, memory }`);
    const requested = (options as { memory?: unknown }).memory;
    if (requested !== undefined && requested !== "fast" && requested !== "lean") {
      throw new TypeError(`init(): memory must be "fast" or "lean", but got ${typeof requested === "string" ? JSON.stringify(requested) : String(requested)}`);
    }
    // the mode may change at any init() call, also after the kernels are loaded
    if (requested !== undefined) mode = requested;
  }
  const { module, relaxed } = isOptions ? options as { module?: WasmSource; relaxed?: boolean } : { module: options as WasmSource | undefined, relaxed: false };
  if (module === undefined && relaxed === true) {
    return initFrom(undefined, { ...platform, defaultSource: () => relaxedOrDefault(platform) });
  }
  return initFrom(module, platform);
}

/** The relaxed build's bytes if this engine validates them, else the default build. */
async function relaxedOrDefault(platform: Platform): Promise<WasmSource> {
  try {
    const source = await platform.defaultSource("relaxed-simd");
    const bytes = source instanceof WebAssembly.Module ? null
      : isResponse(source) ? new Uint8Array(await source.arrayBuffer())
      : source instanceof URL || typeof source === "string" ? await readSource(source, platform)
      : source;
    if (bytes !== null && WebAssembly.validate(bytes as BufferSource)) {
      pendingBuild = "relaxed-simd";
      return bytes as BufferSource;
    }
  } catch {
    // no relaxed build here: fall through to the default one
  }
  return platform.defaultSource("simd128");
}
let pendingBuild: WasmBuild = "simd128";

export function initFrom(source: WasmSource | undefined, platform: Platform): Promise<void> {
  if (kernels !== null) return Promise.resolve();
  if (pending === null) {
    pending = (async () => {
      pendingBuild = "simd128";
      const module = await compile(source ?? await platform.defaultSource("simd128"), platform);
      const instance = await WebAssembly.instantiate(module, {});
      const missing = KERNEL_NAMES.filter((name) => typeof instance.exports[name] !== "function");
      if (missing.length > 0) throw new Error(`init: the Wasm module lacks ${missing.join(", ")} (stale build/wasmnn.wasm? run npm run asbuild)`);
      kernels = instance.exports as unknown as Kernels;
      loadedBuild = pendingBuild;
    })();
    pending.catch(() => { pending = null; });   // a failed init may be retried
  }
  return pending;
}

async function compile(source: WasmSource, platform: Platform): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (isResponse(source)) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (source instanceof URL || typeof source === "string") {
    return WebAssembly.compile(await readSource(source, platform));
  }
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(source);
  throw new TypeError(`init: expected a WebAssembly.Module, bytes, URL, path or Response, but got ${describe(source)}`);
}

async function readSource(location: URL | string, platform: Platform): Promise<WasmBytes> {
  const url = location instanceof URL ? location : /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? new URL(location) : null;
  if (url !== null && url.protocol !== "file:") {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`init: fetching ${url} failed with HTTP ${response.status}`);
    return response.arrayBuffer();
  }
  // a file path or file: URL — Node's fetch cannot read file: URLs
  if (platform.readFile === undefined) throw new Error(`init: cannot read ${String(location)} here (no file system); pass a URL, bytes or a WebAssembly.Module`);
  return platform.readFile(url ?? location);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

let f32View = new Float32Array(0);
let i32View = new Int32Array(0);
let i64View = new BigInt64Array(0);
let u8View = new Uint8Array(0);
let f64View = new Float64Array(0);

/** Float32 view of linear memory, current after any memory.grow. */
export function heapF32(): Float32Array {
  const buffer = wasm().memory.buffer;
  if (f32View.buffer !== buffer) f32View = new Float32Array(buffer);
  return f32View;
}
export function heapI32(): Int32Array {
  const buffer = wasm().memory.buffer;
  if (i32View.buffer !== buffer) i32View = new Int32Array(buffer);
  return i32View;
}
export function heapI64(): BigInt64Array {
  const buffer = wasm().memory.buffer;
  if (i64View.buffer !== buffer) i64View = new BigInt64Array(buffer);
  return i64View;
}
export function heapF64(): Float64Array {
  const buffer = wasm().memory.buffer;
  if (f64View.buffer !== buffer) f64View = new Float64Array(buffer);
  return f64View;
}
export function heapU8(): Uint8Array {
  const buffer = wasm().memory.buffer;
  if (u8View.buffer !== buffer) u8View = new Uint8Array(buffer);
  return u8View;
}
