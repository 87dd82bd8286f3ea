// Tensor: a handle (pointer, shape, dtype) to data in Wasm linear memory.
// Views made by reshape/flatten share one Storage, which is freed when its last handle is disposed.

import {
  type SizeArgs, viewImpl, viewAsImpl, reshapeImpl, flatten as flattenImpl, unflatten as unflattenImpl, squeeze as squeezeImpl,
  unsqueeze as unsqueezeImpl, contiguousImpl, isContiguousImpl, clone as cloneImpl,
} from "./functional/views.js";
import {
  permuteImpl, transpose as transposeImpl, t as tImpl, expandImpl, expandAsImpl, narrow as narrowImpl,
} from "./functional/strided.js";
import { chunk as chunkImpl, splitImpl } from "./functional/join.js";
import { allocate, release, setKind, MAX_BLOCK_BYTES, formatBytes, type BlockKind } from "./allocator.js";
import { heapF32, heapI64, heapU8 } from "./runtime.js";
import { convertInto, FILE_DTYPES, type FileDType } from "./io/dtypes.js";
import { track, registerTensorClass, onEscape } from "./scope.js";
import { fillNormal, plan, replay, type Fill, type Recipe } from "./random.js";
import * as ew from "./functional/elementwise.js";
import * as reduceOps from "./functional/reduce.js";
import { matmul as matmulImpl } from "./functional/matmul.js";

export type DType = "float32" | "int64";

// `Tensor` and `Module` implement `[Symbol.dispose]` (for `using`). lib "esnext.disposable" (TS 5.2+)
// and @types/node declare the symbol; a project with neither (lib ["ES2022"], "dom") would fail to
// compile our .d.ts without this, the same declaration @types/node ships for older TypeScript.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
export type NestedArray = number | bigint | NestedArray[];

const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, int64: 8 };

/**
 * A block of linear memory shared by a tensor and its views.
 *
 * A deferred storage holds no linear memory yet. Its data is either bytes still in the caller's
 * buffer (safetensors.load: `source`, a view, not a copy, in the file's element type, converted to
 * float32 or int64 as it is read: io/dtypes.ts), or a recipe (random.ts: a layer's default
 * initialisation or an nn.init fill, the generator's state it draws from and the distribution),
 * until the first read of `ptr` allocates and copies the bytes in or draws the values. So reading
 * `ptr` may allocate and grow the memory, which detaches heap views taken before it: read a
 * tensor's `ptr` before taking a heapF32()/heapU8()/... view to use with it. (The ops do:
 * checkTensor, shape.ts, reads `ptr` as they take each argument.) A caller about to overwrite every
 * byte takes `ptrForOverwrite()` instead: it allocates without copying or drawing.
 */
export class Storage {
  refs = 1;
  /** bumped on every in-place write, so caches (packed weights) know when to rebuild */
  version = 0;
  #ptr: number;
  #source: Uint8Array | null;
  /** the source's element type when it is not the tensor's own (F16, I32, ...) */
  readonly #type: FileDType | undefined;
  readonly #sourceBytes: number;
  #recipe: Recipe | null;
  /** an int64 recipe (a constant: BatchNorm's num_batches_tracked) */
  readonly #int64: boolean;
  /** what memory() files the block under once it is allocated (set early by setKind) */
  #kind: BlockKind = "activations";
  /** for messages: what the deferred data is (safetensors.ts names the tensor) */
  readonly #what: string;
  constructor(ptr: number, readonly bytes: number, deferred?: { source: Uint8Array; type?: FileDType; what: string } | { recipe: Recipe; int64: boolean; what: string }) {
    this.#ptr = ptr;
    this.#source = deferred !== undefined && "source" in deferred ? deferred.source : null;
    this.#type = deferred !== undefined && "source" in deferred ? deferred.type : undefined;
    this.#sourceBytes = this.#source?.length ?? 0;
    this.#recipe = deferred !== undefined && "recipe" in deferred ? deferred.recipe : null;
    this.#int64 = deferred !== undefined && "recipe" in deferred && deferred.int64;
    this.#what = deferred?.what ?? "";
  }
  /** Byte address in linear memory; a deferred storage is copied in (or drawn) on the first read. */
  get ptr(): number {
    if (!this.isDeferred) return this.#ptr;
    this.checkSource();
    const source = this.#source, recipe = this.#recipe;
    const ptr = this.ptrForOverwrite();
    // straight into linear memory (nothing allocates while the view is in use)
    this.#write(heapU8().subarray(ptr, ptr + this.bytes), source, recipe);
    return ptr;
  }
  /** Writes deferred data into `dst`: the source's bytes (converted from the file's type) or the recipe's values. */
  #write(dst: Uint8Array, source: Uint8Array | null, recipe: Recipe | null): void {
    if (recipe === null) {
      if (this.#type === undefined) dst.set(source!);
      else convertInto(this.#type, source!, dst, source!.length / FILE_DTYPES[this.#type].bytes);
      return;
    }
    // drawn in place where `dst` is aligned (linear memory, a fresh array), else through a copy
    const target = dst.byteOffset % 8 === 0 ? dst : new Uint8Array(this.bytes);
    if (this.#int64) new BigInt64Array(target.buffer, target.byteOffset, this.bytes / 8).fill(BigInt(constantOf(recipe)));
    else replay(new Float32Array(target.buffer, target.byteOffset, this.bytes / 4), recipe);
    if (target !== dst) dst.set(target);
  }
  /**
   * The address for a caller that writes every byte next (load_state_dict, nn.init): a deferred
   * storage is allocated without copying its bytes in or drawing its recipe, which it forgets.
   */
  ptrForOverwrite(): number {
    if (this.#source !== null || this.#recipe !== null) {
      this.#ptr = allocate(this.bytes, this.#what, this.#kind);
      this.#source = null;
      this.#recipe = null;
    }
    return this.#ptr;
  }
  /** True while the data is not in linear memory (bytes in the caller's buffer, or a recipe). */
  get isDeferred(): boolean {
    return this.#source !== null || this.#recipe !== null;
  }
  /**
   * While deferred, writes the data into `dst` (`bytes` long, anywhere: linear memory or not) and
   * returns true: the caller's bytes (throws if they were detached), converted from the file's
   * type, or a recipe's values (the generator left as it was). Else returns false.
   */
  readDeferred(dst: Uint8Array): boolean {
    this.checkSource();
    if (!this.isDeferred) return false;
    this.#write(dst, this.#source, this.#recipe);
    return true;
  }
  /** Throws if deferred bytes' buffer (safetensors.load's caller's) was detached or resized. */
  checkSource(): void {
    // a detached (transferred) buffer reads as length 0, as does a view a resize left out of bounds
    if (this.#source !== null && this.#source.length !== this.#sourceBytes) {
      throw new Error(`${this.#what}: the bytes passed to safetensors.load were detached (transferred) or resized before this tensor was read; they must stay unchanged while the loaded tensors are alive`);
    }
  }
  /**
   * Replaces a deferred float32 storage's data with `recipe` (nn.init on a tensor nothing has read:
   * the last init wins, as the overwrite it is).
   */
  replan(recipe: Recipe): void {
    if (!this.isDeferred || this.#int64) throw new Error("internal: only a deferred float32 tensor takes a new recipe (nn.init writes the others' values)");
    this.#source = null;
    this.#recipe = recipe;
  }
  /** Files the block under `kind` in memory()'s breakdown, now or when it is allocated. */
  setKind(kind: BlockKind): void {
    this.#kind = kind;
    if (!this.isDeferred && this.bytes > 0) setKind(this.#ptr, kind);
  }
  release(): void {
    if (--this.refs !== 0) return;
    if (this.isDeferred) {
      // never allocated: nothing to free
      this.#source = null;
      this.#recipe = null;
    } else if (this.bytes > 0) {
      release(this.#ptr, this.bytes);
    }
  }
}

function constantOf(recipe: Recipe): number {
  if (recipe.fill.kind !== "constant") throw new Error(`an int64 tensor's deferred values must be a constant, not ${recipe.fill.kind}`);
  return recipe.fill.value;
}

let liveTensors = 0;
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  // a safety net for handles users dropped without dispose(); not a substitute for it
  liveTensors--;
  storage.release();
});

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  #storage: Storage | null;

  /** @internal use tensor(), zeros(), ... */
  constructor(storage: Storage, shape: readonly number[], dtype: DType) {
    this.#storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    liveTensors++;
    // inside a scope, the scope frees it (the finalizer entry waits until it escapes: scope.ts)
    if (!track(this)) finalizer.register(this, storage, this);
  }

  /** @internal scope.ts: the tensor outlives every scope, so it gets the finalizer's safety net now */
  _escape(): void {
    if (this.#storage !== null) finalizer.register(this, this.#storage, this);
  }

  #live(): Storage {
    if (this.#storage === null) {
      throw new Error(`Tensor of shape [${this.shape.join(", ")}] was used after dispose()`);
    }
    return this.#storage;
  }

  /** Byte address of the first element in linear memory (for kernels). */
  get ptr(): number { return this.#live().ptr; }
  /** Changes whenever the data is written in place. */
  get version(): number { return this.#live().version; }
  get isDisposed(): boolean { return this.#storage === null; }
  /** @internal marks an in-place write */
  _bump(): void { this.#live().version++; }
  /**
   * @internal while the storage is deferred (safetensors.load: still in the caller's buffer, not in
   * linear memory; or a recipe), writes its data into `dst` and returns true, else false. Throws
   * if that buffer was detached.
   */
  _readDeferred(dst: Uint8Array): boolean { return this.#live().readDeferred(dst); }
  /**
   * @internal true while the data is not in linear memory (safetensors.load's bytes, or a recipe:
   * a layer's default initialisation). Throws if safetensors.load's buffer was detached.
   */
  _isDeferred(): boolean {
    const storage = this.#live();
    storage.checkSource();
    return storage.isDeferred;
  }
  /** @internal the address for a caller about to write every byte: a deferred tensor is allocated without its data */
  _ptrForOverwrite(): number { return this.#live().ptrForOverwrite(); }
  /** @internal nn.init on a deferred float32 tensor: its data becomes `recipe` */
  _replan(recipe: Recipe): void { this.#live().replan(recipe); }
  /** @internal files the data under `kind` in memory()'s breakdown (a deferred tensor's, when it is allocated) */
  _setKind(kind: BlockKind): void { this.#live().setKind(kind); }
  /** @internal true if both handles share one storage (a tensor and its views, a Parameter and its data) */
  _sharesStorage(other: Tensor): boolean { return this.#live() === other.#live(); }
  /** @internal true when no other handle (a view, a Parameter) shares this tensor's storage */
  _exclusive(): boolean { return this.#live().refs === 1; }
  /** @internal a new reference to this tensor's storage (for nn.Parameter, which shares data) */
  _shareStorage(): Storage {
    const storage = this.#live();
    storage.refs++;
    return storage;
  }

  numel(): number { return numel(this.shape); }
  dim(): number { return this.shape.length; }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim(dim, this.shape.length)];
  }

  /**
   * Copies the data out of linear memory: a Float32Array, or a BigInt64Array for int64 tensors
   * (typed as such with `data<BigInt64Array>()`). A tensor nothing has needed in linear memory yet
   * stays out of it: one from safetensors.load is read from the file's bytes, a parameter's default
   * initialisation is drawn into the returned array.
   */
  data<T extends Float32Array | BigInt64Array = Float32Array>(): NoInfer<T> {
    const storage = this.#live();
    const n = this.numel();
    if (storage.isDeferred) {
      // read from the caller's bytes (or a recipe's values) without copying them into linear memory
      const out = this.dtype === "int64" ? new BigInt64Array(n) : new Float32Array(n);
      storage.readDeferred(new Uint8Array(out.buffer));
      return out as T;
    }
    if (this.dtype === "int64") return heapI64().slice(storage.ptr / 8, storage.ptr / 8 + n) as T;
    return heapF32().slice(storage.ptr / 4, storage.ptr / 4 + n) as T;
  }

  /** Nested arrays of numbers, as torch.Tensor.tolist (int64 values become numbers). */
  tolist(): NestedArray {
    const flat = Array.from(this.data<Float32Array | BigInt64Array>() as ArrayLike<number | bigint>, Number);
    if (this.shape.length === 0) return flat[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const size = this.shape[dim];
      const stride = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < size; i++) {
        out.push(dim === this.shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor, as torch.Tensor.item. */
  item(): number {
    if (this.numel() !== 1) throw new Error(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    return Number(this.data<Float32Array | BigInt64Array>()[0]);
  }

  /** A view with a new shape (one entry may be -1); shares data, as torch.Tensor.reshape. */
  reshape(...shape: SizeArgs): Tensor { return reshapeImpl(this, ...shape); }

  /** Flattens dims start_dim..end_dim into one (a view), as torch.flatten. */
  flatten(...args: unknown[]): Tensor { return flattenImpl(this, ...args); }

  // Methods of issue #11's op families (thin: each calls its family's function in src/functional/),
  // each family adding its methods directly under its own marker.
  // [elementwise]
  /** torch.Tensor.add(other, *, alpha=1): self + alpha * other with broadcasting, into a new tensor. */
  add(...args: [other: Tensor | number, options?: { alpha?: number }]): Tensor { return ew.binary("add", [this, ...args], true); }
  /** In place (residual connections); the broadcast shape must be self's. Returns this. */
  add_(...args: [other: Tensor | number, options?: { alpha?: number }]): Tensor { return ew.binary("add", [this, ...args], true, true); }
  /** torch.Tensor.sub(other, *, alpha=1): self - alpha * other. */
  sub(...args: [other: Tensor | number, options?: { alpha?: number }]): Tensor { return ew.binary("sub", [this, ...args], true); }
  sub_(...args: [other: Tensor | number, options?: { alpha?: number }]): Tensor { return ew.binary("sub", [this, ...args], true, true); }
  /** torch.Tensor.mul(other): self * other (the SE gate, layer scale). */
  mul(...args: [other: Tensor | number]): Tensor { return ew.binary("mul", [this, ...args], true); }
  mul_(...args: [other: Tensor | number]): Tensor { return ew.binary("mul", [this, ...args], true, true); }
  /** torch.Tensor.div(other, *, rounding_mode=None | 'trunc' | 'floor'). */
  div(...args: [other: Tensor | number, options?: { rounding_mode?: "trunc" | "floor" | null }]): Tensor { return ew.binary("div", [this, ...args], true); }
  div_(...args: [other: Tensor | number, options?: { rounding_mode?: "trunc" | "floor" | null }]): Tensor { return ew.binary("div", [this, ...args], true, true); }
  neg(): Tensor { return ew.unary("neg", [this, ...arguments], true); }
  neg_(): Tensor { return ew.unary("neg", [this, ...arguments], true, true); }
  abs(): Tensor { return ew.unary("abs", [this, ...arguments], true); }
  abs_(): Tensor { return ew.unary("abs", [this, ...arguments], true, true); }
  sqrt(): Tensor { return ew.unary("sqrt", [this, ...arguments], true); }
  sqrt_(): Tensor { return ew.unary("sqrt", [this, ...arguments], true, true); }
  rsqrt(): Tensor { return ew.unary("rsqrt", [this, ...arguments], true); }
  rsqrt_(): Tensor { return ew.unary("rsqrt", [this, ...arguments], true, true); }
  /** torch.Tensor.clamp(min=None, max=None): numbers, or tensors that broadcast. */
  clamp(...args: ew.ClampArgs): Tensor { return ew.clampOp("clamp", [this, ...args], true); }
  clamp_(...args: ew.ClampArgs): Tensor { return ew.clampOp("clamp", [this, ...args], true, true); }
  clip(...args: ew.ClampArgs): Tensor { return ew.clampOp("clip", [this, ...args], true); }
  clip_(...args: ew.ClampArgs): Tensor { return ew.clampOp("clip", [this, ...args], true, true); }

  // [activation]
  sigmoid(): Tensor { return act.sigmoid(this); }
  sigmoid_(): Tensor { return act.sigmoid_(this); }
  tanh(): Tensor { return act.tanh(this); }
  tanh_(): Tensor { return act.tanh_(this); }
  relu(): Tensor { return act.relu(this); }
  relu_(): Tensor { return act.relu_(this); }
  exp(): Tensor { return act.exp(this); }
  exp_(): Tensor { return act.exp_(this); }
  softmax(...args: unknown[]): Tensor { return act.torchSoftmax(this, ...args); }
  log_softmax(...args: unknown[]): Tensor { return act.torchLogSoftmax(this, ...args); }

  // [shape]
  /** A view with a new shape (one size may be -1), sharing storage: `x.view(n, -1)`, `x.view([n, -1])`. */
  view(...shape: SizeArgs): Tensor { return viewImpl(this, ...shape); }
  /** view(other.size()). */
  view_as(other: Tensor): Tensor { return viewAsImpl(this, other); }
  /** reshape(other.size()). */
  reshape_as(other: Tensor): Tensor { return viewAsImpl(this, other); }
  /** Splits dim `dim` into `sizes` (a view), as torch.Tensor.unflatten. */
  unflatten(...args: unknown[]): Tensor { return unflattenImpl(this, ...args); }
  /** Drops size-1 dims (all, or `dim` only), a view. */
  squeeze(...args: unknown[]): Tensor { return squeezeImpl(this, ...args); }
  /** Inserts a size-1 dim at `dim`, a view. */
  unsqueeze(...args: unknown[]): Tensor { return unsqueezeImpl(this, ...args); }
  /** Reorders dims: `x.permute(0, 2, 3, 1)`. A contiguous copy (PyTorch: a strided view). */
  permute(...dims: SizeArgs): Tensor { return permuteImpl(this, ...dims); }
  /** Swaps two dims. A contiguous copy (PyTorch: a strided view). */
  transpose(...args: unknown[]): Tensor { return transposeImpl(this, ...args); }
  /** transpose(0, 1) of a <= 2-D tensor. A contiguous copy for 2-D (PyTorch: a strided view). */
  t(): Tensor { return tImpl(this); }
  /** Returns this tensor: every wasmnn tensor is contiguous. */
  contiguous(...args: unknown[]): Tensor { return contiguousImpl(this, ...args); }
  /** Always true in wasmnn. */
  is_contiguous(...args: unknown[]): boolean { return isContiguousImpl(this, ...args); }
  /** Repeats size-1 dims to `sizes` (-1 keeps a size). A contiguous copy (PyTorch: a stride-0 view). */
  expand(...sizes: SizeArgs): Tensor { return expandImpl(this, ...sizes); }
  /** expand(other.size()); a contiguous copy. */
  expand_as(other: Tensor): Tensor { return expandAsImpl(this, other); }
  /** Elements start..start+length-1 of `dim`. A contiguous copy (PyTorch: a view). */
  narrow(...args: unknown[]): Tensor { return narrowImpl(this, ...args); }
  /** `chunks` pieces along `dim`, as an array of contiguous copies (PyTorch: a tuple of views). */
  chunk(...args: unknown[]): Tensor[] { return chunkImpl(this, ...args); }
  /** Pieces of split_size (or of the listed sizes) along `dim`, as an array of contiguous copies. */
  split(...args: unknown[]): Tensor[] { return splitImpl(this, ...args); }
  /** A copy with its own storage. */
  clone(): Tensor { return cloneImpl(this); }

  // [reduce]
  sum(...args: unknown[]): Tensor { return reduceOps.sum(this, ...args); }
  mean(...args: unknown[]): Tensor { return reduceOps.mean(this, ...args); }
  amax(...args: unknown[]): Tensor { return reduceOps.amax(this, ...args); }
  amin(...args: unknown[]): Tensor { return reduceOps.amin(this, ...args); }
  /** max() -> 0-d; max(dim, keepdim=false) -> [values, indices] */
  max(): Tensor;
  max(dim: number | reduceOps.DimOptions, ...rest: unknown[]): [Tensor, Tensor];
  max(...args: unknown[]): Tensor | [Tensor, Tensor] { return reduceOps.max(this, ...args); }
  /** min() -> 0-d; min(dim, keepdim=false) -> [values, indices] */
  min(): Tensor;
  min(dim: number | reduceOps.DimOptions, ...rest: unknown[]): [Tensor, Tensor];
  min(...args: unknown[]): Tensor | [Tensor, Tensor] { return reduceOps.min(this, ...args); }
  argmax(...args: unknown[]): Tensor { return reduceOps.argmax(this, ...args); }
  argmin(...args: unknown[]): Tensor { return reduceOps.argmin(this, ...args); }
  topk(k: number, ...args: unknown[]): [Tensor, Tensor] { return reduceOps.topk(this, k, ...args); }
  matmul(other: Tensor): Tensor { return matmulImpl(this, other); }

  // [norm]

  // [conv-transpose]

  // [resample]

  /** Frees this handle (the data goes when its last view does). Safe to call twice. */
  dispose(): void {
    if (this.#storage === null) return;
    finalizer.unregister(this);
    liveTensors--;
    const storage = this.#storage;
    this.#storage = null;
    storage.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    if (this.#storage === null) return `Tensor(disposed, shape=[${this.shape.join(", ")}])`;
    return `Tensor(shape=[${this.shape.join(", ")}], dtype=${this.dtype})`;
  }
}
registerTensorClass(Tensor);
// a tensor that outlives every scope gets the finalizer's safety net then
onEscape((tensor) => tensor._escape());

export function liveTensorCount(): number {
  return liveTensors;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function normalizeDim(dim: number, rank: number): number {
  const low = rank === 0 ? -1 : -rank;
  const high = rank === 0 ? 0 : rank - 1;
  if (!Number.isInteger(dim) || dim < low || dim > high) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${low}, ${high}], but got ${dim})`);
  }
  return dim < 0 ? dim + Math.max(rank, 1) : dim;
}

/** Validates a shape and returns its element count; refuses what a wasm32 block cannot hold. */
export function checkShape(shape: readonly number[], dtype: DType = "float32"): number {
  if (!Array.isArray(shape)) throw new TypeError(`expected a shape (array of sizes), but got ${typeof shape}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`shape [${shape.join(", ")}] is invalid: sizes must be non-negative integers, but got ${d}`);
    }
  }
  const n = numel(shape);
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  if (bytes > MAX_BLOCK_BYTES) {
    throw new RangeError(`a ${dtype} tensor of shape [${shape.join(", ")}] needs ${formatBytes(bytes)}, more than the ${formatBytes(MAX_BLOCK_BYTES)} a wasm32 block can hold`);
  }
  return n;
}

/** An uninitialised tensor in linear memory (kernels write every element). */
export function empty(shape: readonly number[], dtype: DType = "float32"): Tensor {
  const n = checkShape(shape, dtype);
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  const ptr = bytes > 0 ? allocate(bytes, `tensor of shape [${shape.join(", ")}]`) : 0;
  return new Tensor(new Storage(ptr, bytes), shape, dtype);
}

/**
 * @internal (safetensors.load) A tensor whose data stays in `source` (a view of the caller's
 * bytes, `what` naming it for messages) until something needs it in linear memory. `type` is the
 * source's element type when it is not `dtype`'s own (F16 for a float32 tensor, ...): the data is
 * converted as it is read.
 */
export function deferred(shape: readonly number[], dtype: DType, source: Uint8Array, what: string, type?: FileDType): Tensor {
  const n = checkShape(shape, dtype);
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  const sourceBytes = type === undefined ? bytes : n * FILE_DTYPES[type].bytes;
  if (type !== undefined && FILE_DTYPES[type].dtype !== dtype) throw new Error(`${what}: ${type} data cannot be a ${dtype} tensor`);
  if (sourceBytes !== source.length) throw new Error(`${what}: needs ${sourceBytes} bytes, but got ${source.length}`);
  return new Tensor(new Storage(0, bytes, bytes > 0 ? { source, type, what } : undefined), shape, dtype);
}

/**
 * @internal A tensor whose values are `fill` drawn when first needed (a layer's default
 * initialisation, issue #13): the generator advances now past the draws, as if they were made.
 * `zero` is a range of elements set to 0 after the fill (an Embedding's padding row). An int64
 * tensor's fill must be a constant.
 */
export function planned(shape: readonly number[], fill: Fill, options: { dtype?: DType; zero?: readonly [number, number] } = {}): Tensor {
  const dtype = options.dtype ?? "float32";
  const n = checkShape(shape, dtype);
  if (dtype === "int64" && fill.kind !== "constant") throw new TypeError(`an int64 tensor's deferred values must be a constant, not ${fill.kind}`);
  const recipe = plan(fill, n, options.zero);
  const bytes = n * BYTES_PER_ELEMENT[dtype];
  const what = `tensor of shape [${shape.join(", ")}]`;
  return new Tensor(new Storage(0, bytes, bytes > 0 ? { recipe, int64: dtype === "int64", what } : undefined), shape, dtype);
}

/** Copies `values` into a new tensor, as torch.tensor. Nested arrays infer the shape. */
export function tensor(
  values: Float32Array | Float64Array | BigInt64Array | NestedArray | ArrayLike<number>,
  shape?: readonly number[],
  options: { dtype?: DType } = {},
): Tensor {
  let flat: Float32Array | BigInt64Array;
  let inferred: number[];
  if (values instanceof BigInt64Array) {
    flat = values;
    inferred = [values.length];
  } else if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    if (options.dtype === "int64") {
      flat = BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(Math.trunc(v)));
    } else {
      flat = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    }
    inferred = [values.length];
  } else {
    const nested = flattenNested(values as NestedArray);
    inferred = nested.shape;
    const isBig = nested.values.some((v) => typeof v === "bigint");
    const dtype = options.dtype ?? (isBig ? "int64" : "float32");
    flat = dtype === "int64"
      ? BigInt64Array.from(nested.values, (v) => (typeof v === "bigint" ? v : BigInt(Math.trunc(v))))
      : Float32Array.from(nested.values, Number);
  }
  const finalShape = shape === undefined ? inferred : [...shape];
  const n = checkShape(finalShape, flat instanceof BigInt64Array ? "int64" : "float32");
  if (n !== flat.length) throw new Error(`shape '[${finalShape.join(", ")}]' is invalid for input of size ${flat.length}`);
  const out = empty(finalShape, flat instanceof BigInt64Array ? "int64" : "float32");
  if (flat instanceof BigInt64Array) heapI64().set(flat, out.ptr / 8);
  else heapF32().set(flat, out.ptr / 4);
  return out;
}

function flattenNested(values: NestedArray): { shape: number[]; values: (number | bigint)[] } {
  if (typeof values === "number" || typeof values === "bigint") return { shape: [], values: [values] };
  if (!Array.isArray(values)) throw new TypeError(`tensor(): expected numbers, nested arrays or a typed array, but got ${typeof values}`);
  const shape: number[] = [];
  for (let level: NestedArray = values; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const out: (number | bigint)[] = [];
  const walk = (node: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (typeof node !== "number" && typeof node !== "bigint") throw new TypeError(`tensor(): expected a number at depth ${depth}, but got ${Array.isArray(node) ? "an array" : typeof node}`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new Error(`tensor(): expected sequence of length ${shape[depth]} at dim ${depth} (got ${Array.isArray(node) ? node.length : typeof node})`);
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(values, 0);
  return { shape, values: out };
}

function filled(shape: readonly number[] | number, rest: number[], value: number): Tensor {
  const dims = typeof shape === "number" ? [shape, ...rest] : [...shape];
  const out = empty(dims);
  heapF32().fill(value, out.ptr / 4, out.ptr / 4 + out.numel());
  return out;
}

export function zeros(shape: readonly number[] | number, ...rest: number[]): Tensor {
  return filled(shape, rest, 0);
}

export function ones(shape: readonly number[] | number, ...rest: number[]): Tensor {
  return filled(shape, rest, 1);
}

/** Standard normal samples from the seedable generator (manual_seed). */
export function randn(shape: readonly number[] | number, ...rest: number[]): Tensor {
  const dims = typeof shape === "number" ? [shape, ...rest] : [...shape];
  const values = new Float32Array(checkShape(dims));
  fillNormal(values);
  return tensor(values, dims);
}

// The op families' functions behind the methods above (ES imports hoist; kept here, one line per family).
// [activation]
import * as act from "./functional/activation.js";
