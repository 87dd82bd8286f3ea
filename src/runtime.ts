// Loads build/wasmnn.wasm once and hands out its exports and fresh views of its memory.
// Views are re-made whenever memory.grow has replaced (detached) the buffer.

import type { SpawnWorker } from "./threads/pool.js";
import { currentPool, setPool, setThreadsInUse, threadsInUse, MAX_THREADS } from "./threads/parallel.js";

type KernelFn = (...args: number[]) => number;
/** Names of the Wasm module's functions (see assembly/index.ts); every one takes and returns numbers. */
const KERNEL_NAMES = [
  "alloc", "allocHigh", "free", "maxAlloc", "set_thread_scratch", "thread_scratch_bytes", "f32_add", "f32_pad2d", "f32_embed_rows", "f32_phase_split", "f32_phase_merge", "f32_clamp", "f32_linear", "f32_linear_gemm", "f32_linear_gemm_workspace", "f32_linear_gemm_pack",
  "f32_conv2d_packed_size", "f32_conv2d_pack", "f32_conv2d_igemm", "f32_conv2d_igemm_workspace", "f32_conv2d_ref",
  "f32_dwconv2d", "f32_dwconv2d_workspace", "f32_dwconv2d_c4", "f32_dwconv2d_c4_workspace",
  "f32_maxpool2d", "f32_maxpool2d_rows", "f32_avgpool2d", "f32_adaptive_avgpool2d", "f32_adaptive_maxpool2d",
  "f32_channel_stats", "f32_channel_affine",
  "f32_winograd_f2x3_packed_size", "f32_winograd_f2x3_pack", "f32_winograd_f2x3_workspace", "f32_conv2d_winograd_f2x3",
  "f32_winograd_f4x3_packed_size", "f32_winograd_f4x3_pack", "f32_winograd_f4x3_workspace", "f32_conv2d_winograd_f4x3",
  "f32_winograd_s2k7_packed_size", "f32_winograd_s2k7_pack", "f32_winograd_s2k7_workspace", "f32_conv2d_winograd_s2k7",
  "f32_winograd_plan", "f32_winograd_stage", "f32_winograd_tiles", "f32_winograd_outblocks", "f32_winograd_pack_blocks", "f32_winograd_pool_bands",
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
export type Kernels = { memory: WebAssembly.Memory } & Record<KernelName, KernelFn>;
/** A kernel's export name. */
export type KernelName = (typeof KERNEL_NAMES)[number];

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

/** What a runtime entry tells the loader. */
export interface Platform {
  /** Where the .wasm comes from when `init()` is given nothing (`threaded`: the shared-memory build). */
  defaultSource(build: WasmBuild, threaded: boolean): Promise<WasmSource>;
  /** Reads a file path or file: URL (Node, Deno); absent where there is no file system. */
  readFile?(location: URL | string): Promise<WasmBytes>;
  /** How this runtime starts pool workers, or why it cannot (a sentence); absent: it cannot. */
  threads?(): Promise<ThreadSupport | string>;
}

/** A runtime's way to run a pool. */
export interface ThreadSupport {
  spawn: SpawnWorker;
  /** Logical cores (navigator.hardwareConcurrency, os.availableParallelism()). */
  cores: number;
  /** Whether this thread may block in Atomics.wait (a page's main thread may not: it spins). */
  canBlock: boolean;
}

/**
 * The two builds: "simd128" (default) uses only deterministic instructions, so every runtime gives
 * the same bits; "relaxed-simd" lets the engine fuse multiply-adds (faster, not bit-reproducible).
 * Each has a thread-enabled twin (shared memory, atomics), loaded only when more than one thread runs.
 */
export type WasmBuild = "simd128" | "relaxed-simd";

/**
 * What every entry's `init` takes: nothing, `{ module }`, the source itself, or options:
 * `relaxed: true` uses the relaxed-SIMD build where the engine validates it (else the default);
 * `memory` (see MemoryMode); `threads`: a number or "auto" (default: min(4, ceil(cores / 2)) where
 * threads can run, else 1).
 */
export type InitOptions = WasmSource | { module?: WasmSource; relaxed?: boolean; memory?: MemoryMode; threads?: number | "auto" };

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

/** What `backend()` reports. */
export interface Backend {
  /** The kernels' build: "simd128" or "relaxed-simd" ("relaxed-simd" only if asked for and accepted). */
  build: WasmBuild;
  /** Whether the thread-enabled build (shared memory) is loaded. */
  shared: boolean;
  /** Threads a call uses now (get_num_threads()). */
  threads: number;
  /** Threads the pool has (the caller's thread and its workers). */
  poolThreads: number;
  /** What init() asked for. */
  requested: number | "auto";
  /** Why fewer threads run than were asked for (or "auto" would use elsewhere), else null. */
  reason: string | null;
  /** The shared memory's maximum in bytes (null: the single-thread build's own memory). */
  maxMemoryBytes: number | null;
}

let loadedBuild: WasmBuild = "simd128";
let requestedThreads: number | "auto" = "auto";
let threadReason: string | null = null;
let threadSupport: ThreadSupport | null = null;
let threadedModule: WebAssembly.Module | null = null;
let sharedMaximum: number | null = null;
let workerScratch: number[] = [];

/** Which build init() loaded, and its threads. */
export function backend(): Backend {
  wasm();
  const pool = currentPool();
  return {
    build: loadedBuild, shared: threadedModule !== null, threads: threadsInUse(), poolThreads: pool?.size ?? 1,
    requested: requestedThreads, reason: threadReason, maxMemoryBytes: sharedMaximum === null ? null : sharedMaximum * 65536,
  };
}

const warned = new Set<string>();
/** A console warning, once per distinct message. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`wasmnn: ${message}`);
}

/** torch.set_num_threads: how many of the pool's threads each call uses from now on (1 ..). */
export function set_num_threads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`set_num_threads: expected a positive integer, but got ${typeof n === "number" ? n : typeof n}`);
  wasm();
  const size = currentPool()?.size ?? 1;
  if (n > size) {
    warnOnce(`set_num_threads(${n}): the pool has ${size} thread${size === 1 ? "" : "s"}${threadReason === null ? " (init({ threads }) sets its size)" : `: ${threadReason}`}; using ${size}`);
  }
  setThreadsInUse(Math.min(n, size));
}

/** torch.get_num_threads: the threads each call uses. */
export function get_num_threads(): number {
  return kernels === null ? 1 : threadsInUse();
}

/** Stops the pool's workers (tests, hot reloads); calls then run on one thread. init({ threads }) may start a new pool. */
export function shutdown_threads(): void {
  const pool = currentPool();
  if (pool === null) return;
  pool.shutdown();
  setPool(null, KERNEL_NAMES);
}

function checkThreads(value: unknown): number | "auto" {
  if (value === "auto") return value;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new TypeError(`init(): threads must be "auto" or an integer from 1 to ${MAX_THREADS}, but got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}

/** Loads the kernels once per process (idempotent), from `options` or the platform's default. */
export function initWith(options: InitOptions | undefined, platform: Platform): Promise<void> {
  const isOptions = options !== null && typeof options === "object" && !(options instanceof URL) &&
    !(options instanceof WebAssembly.Module) && !ArrayBuffer.isView(options) && !(options instanceof ArrayBuffer) &&
    !isResponse(options);
  let threads: number | "auto" | undefined;
  if (isOptions) {
    const unknown = Object.keys(options).filter((key) => key !== "module" && key !== "relaxed" && key !== "memory" && key !== "threads");
    if (unknown.length > 0) throw new TypeError(`init(): unknown option ${unknown.map((k) => `'${k}'`).join(", ")}; expected { module, relaxed, memory, threads }`);
    const requested = (options as { memory?: unknown }).memory;
    if (requested !== undefined && requested !== "fast" && requested !== "lean") {
      throw new TypeError(`init(): memory must be "fast" or "lean", but got ${typeof requested === "string" ? JSON.stringify(requested) : String(requested)}`);
    }
    const asked = (options as { threads?: unknown }).threads;
    if (asked !== undefined) threads = checkThreads(asked);
    // the mode may change at any init() call, also after the kernels are loaded
    if (requested !== undefined) mode = requested;
  }
  const { module, relaxed } = isOptions ? options as { module?: WasmSource; relaxed?: boolean } : { module: options as WasmSource | undefined, relaxed: false };
  if (kernels !== null && threads !== undefined) return retarget(threads, platform);
  return initFrom(module, platform, relaxed === true, threads ?? "auto");
}

/** A later init({ threads }): the build and its memory stay; the pool may start, restart or narrow. */
async function retarget(threads: number | "auto", platform: Platform): Promise<void> {
  if (pending !== null) await pending;
  requestedThreads = threads;
  const size = currentPool()?.size ?? 1;
  const want = threads === "auto" ? (threadSupport === null ? 1 : autoThreads(threadSupport.cores)) : threads;
  if (want <= size) {
    setThreadsInUse(want);
    return;
  }
  // the runtime's threads, if the first init did not ask (threads: 1)
  const support = threadSupport ?? (platform.threads === undefined ? NO_WORKER : await platform.threads());
  if (threadedModule === null || typeof support === "string") {
    threadReason = typeof support === "string" ? support
      : "the single-thread build was loaded by an earlier init(); the thread count is fixed by the first init({ threads })";
    if (threads !== "auto") warnOnce(`init({ threads: ${threads} }): running ${size} thread${size === 1 ? "" : "s"}: ${threadReason}`);
    return;
  }
  threadSupport = support;
  await startPool(want);
  setThreadsInUse(want);
}

const NO_WORKER = "this runtime has no Worker (Cloudflare Workers run one thread)";

function autoThreads(cores: number): number {
  return Math.max(1, Math.min(4, Math.ceil(cores / 2)));
}

let pendingBuild: WasmBuild = "simd128";

export function initFrom(source: WasmSource | undefined, platform: Platform, relaxed = false, threads: number | "auto" = "auto"): Promise<void> {
  if (kernels !== null) return Promise.resolve();
  if (pending === null) {
    pending = (async () => {
      pendingBuild = "simd128";
      requestedThreads = threads;
      threadReason = null;
      // how many threads can run, and the build for them
      let want = threads === "auto" ? 1 : threads;
      let support: ThreadSupport | string = "this runtime has no threads";
      if (threads !== 1) {
        support = platform.threads === undefined ? NO_WORKER : await platform.threads();
        if (typeof support === "string") threadReason = support;
        else {
          threadSupport = support;
          if (threads === "auto") want = autoThreads(support.cores);
        }
      }
      const given = source === undefined ? null : await compile(source, platform);
      const threaded = given !== null ? importsMemory(given) : want > 1 && typeof support !== "string";
      if (given !== null && want > 1 && !threaded) threadReason = "init({ module }) gave the single-thread build (build/wasmnn-threads.wasm is the thread-enabled one)";
      if (threadReason !== null) want = 1;
      const module = given ?? await compile(relaxed ? await relaxedOrDefault(platform, threaded) : await platform.defaultSource("simd128", threaded), platform);
      let instance: WebAssembly.Instance;
      let memory: WebAssembly.Memory | null = null;
      if (threaded) {
        memory = sharedMemory();
        instance = await WebAssembly.instantiate(module, { env: { memory } });
      } else {
        instance = await WebAssembly.instantiate(module, {});
      }
      const missing = KERNEL_NAMES.filter((name) => typeof instance.exports[name] !== "function");
      if (missing.length > 0) throw new Error(`init: the Wasm module lacks ${missing.join(", ")} (stale build/wasmnn.wasm? run npm run asbuild)`);
      kernels = { ...(instance.exports as object), memory: memory ?? instance.exports.memory } as unknown as Kernels;
      loadedBuild = pendingBuild;
      if (threaded) threadedModule = module;
      if (want > 1) await startPool(want);
      if (typeof threads === "number" && threads > 1 && threadReason !== null) {
        warnOnce(`init({ threads: ${threads} }): running 1 thread: ${threadReason}`);
      }
    })();
    pending.catch(() => { pending = null; kernels = null; threadedModule = null; });   // a failed init may be retried
  }
  return pending;
}

function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((entry) => entry.kind === "memory");
}

/**
 * The thread build's memory: shared, 16 pages to start, its maximum the largest this engine
 * accepts of 4 GiB, 2 GiB, 1 GiB, 512 MiB, 256 MiB (iOS Safari refuses large shared maxima; the
 * module declares 4 GiB and accepts any smaller memory).
 */
function sharedMemory(): WebAssembly.Memory {
  let failure: unknown = null;
  for (const maximum of [65536, 32768, 16384, 8192, 4096]) {
    try {
      const memory = new WebAssembly.Memory({ initial: 16, maximum, shared: true } as WebAssembly.MemoryDescriptor);
      sharedMaximum = maximum;
      return memory;
    } catch (error) {
      failure = error;
    }
  }
  throw new Error(`init: this engine refused a shared WebAssembly.Memory of any maximum from 4 GiB down to 256 MiB (${String(failure)})`);
}

/** Starts workers so the pool has `threads` threads (after shutdown_threads, or to grow it). */
async function startPool(threads: number): Promise<void> {
  if (threadSupport === null || threadedModule === null) throw new Error("wasmnn: a pool needs the thread build and a runtime with threads");
  const k = wasm();
  const old = currentPool();
  if (old !== null) old.shutdown();
  setPool(null, KERNEL_NAMES);
  const bytes = k.thread_scratch_bytes();
  while (workerScratch.length < threads - 1) {
    const ptr = k.alloc(bytes);
    if (ptr === 0) throw new Error(`init: no memory for a pool thread's ${bytes}-byte scratch`);
    workerScratch.push(ptr);
  }
  // the pool's code (and its workers' source) loads only when a pool starts
  const { Pool } = await import("./threads/pool.js");
  const pool = await Pool.start({
    module: threadedModule, memory: k.memory, names: KERNEL_NAMES, scratch: workerScratch.slice(0, threads - 1),
    spawn: threadSupport.spawn, canBlock: threadSupport.canBlock,
  });
  setPool(pool, KERNEL_NAMES);
}

/** The relaxed build's bytes if this engine validates them, else the default build. */
async function relaxedOrDefault(platform: Platform, threaded: boolean): Promise<WasmSource> {
  try {
    const source = await platform.defaultSource("relaxed-simd", threaded);
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
  return platform.defaultSource("simd128", threaded);
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
