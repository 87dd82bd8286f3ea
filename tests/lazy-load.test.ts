// Deferred tensors (issue #13, loading without doubling): safetensors.load keeps each tensor's data
// in the caller's bytes until something needs it in linear memory, and load_state_dict copies
// straight from those bytes into the model, so the weights are held once.
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, F, safetensors, tensor, zeros, randn, cat, manual_seed, memory, tidy, type Tensor } from "../src/index.js";
import { heapU8 } from "../src/runtime.js";
import { afterCollection } from "./helpers.js";

beforeAll(() => init());

/** ~9 MB of weights: convolutions, BatchNorm (running stats, int64 num_batches_tracked), Linear. */
function model(seed: number): nn.Sequential {
  manual_seed(seed);
  const m = new nn.Sequential(
    new nn.Conv2d(3, 32, 3, { padding: 1 }), new nn.BatchNorm2d(32), new nn.ReLU(),
    new nn.Conv2d(32, 64, 3, { stride: 2, padding: 1 }), new nn.BatchNorm2d(64), new nn.ReLU(),
    new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(64, 2048), new nn.ReLU(), new nn.Linear(2048, 1000),
  );
  // non-default running statistics, so a BatchNorm buffer left behind would show
  m.train();
  tidy(() => { m.forward(randn([4, 3, 8, 8])); });
  return m.eval();
}

/** Fresh tensors holding the same values as `loaded` (the eager copy the deferred ones must match). */
function eagerCopy(loaded: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(loaded).map(([key, t]) => [key, tensor(t.data<Float32Array | BigInt64Array>(), t.shape)]));
}

function disposeAll(tensors: Record<string, Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}

/**
 * Allocates blocks of `bytes` until linear memory grows. The allocator is first fit and grows by
 * exactly what a request lacks, so afterwards no free block of `bytes` is left (if bytes > 64 KiB,
 * a page): the next allocation of `bytes` grows the memory, detaching every heap view taken before.
 */
function fillHeap(bytes: number): Tensor[] {
  const fillers: Tensor[] = [];
  const start = memory().wasmBytes;
  while (memory().wasmBytes === start) fillers.push(zeros([bytes / 4]));
  return fillers;
}

/**
 * A safetensors file built by hand, with a header of odd length (the format pads nothing), so the
 * data starts at an odd offset and no tensor is 4- or 8-byte aligned in the file.
 */
function oddFile(entries: [name: string, dtype: "F32" | "I64", shape: number[], values: number[] | bigint[]][]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, dtype, shape, values] of entries) {
    const bytes = values.length * (dtype === "I64" ? 8 : 4);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  if ((8 + json.length) % 2 === 0) json += " ";
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const [, dtype, , values] of entries) {
    for (const v of values) {
      if (dtype === "I64") { view.setBigInt64(at, v as bigint, true); at += 8; } else { view.setFloat32(at, v as number, true); at += 4; }
    }
  }
  return out;
}

// first in the file: linear memory is still small, so an eager copy would have to grow it
test("load_state_dict(safetensors.load(bytes)) holds the weights once: no live bytes, no growth, the eager copy's outputs", () => {
  const source = model(1);
  const bytes = safetensors.save(source.state_dict());
  source.dispose();
  expect(bytes.length).toBeGreaterThan(8_000_000);
  const m = model(2);
  const x = randn([2, 3, 16, 16]);
  const before = memory();

  const loaded = safetensors.load(bytes);
  const count = Object.keys(loaded).length;
  expect(memory().liveBytes, "live bytes after safetensors.load").toBe(before.liveBytes);
  expect(memory().liveTensors).toBe(before.liveTensors + count);
  m.load_state_dict(loaded);
  const after = memory();
  expect(after.liveBytes, "live bytes after load_state_dict").toBe(before.liveBytes);
  expect(after.wasmBytes - before.wasmBytes, "Wasm memory growth").toBeLessThan(bytes.length / 100);
  disposeAll(loaded);
  expect(memory().liveBytes).toBe(before.liveBytes);
  expect(memory().liveTensors).toBe(before.liveTensors);
  // the model holds the file's values exactly (int64 num_batches_tracked included)...
  expect(Buffer.compare(safetensors.save(m.state_dict()), bytes), "the model's state as a file").toBe(0);   // (toEqual is slow on 9 MB)

  // ...and computes what a model loaded from eager copies of them computes, bit for bit
  const eager = model(3);
  const deferred = safetensors.load(bytes);
  const copies = eagerCopy(deferred);
  disposeAll(deferred);
  eager.load_state_dict(copies);
  disposeAll(copies);
  const y = tidy(() => (m.forward(x) as Tensor).data());
  expect(tidy(() => (eager.forward(x) as Tensor).data())).toEqual(y);
  x.dispose();
  m.dispose();
  eager.dispose();
});

describe("a deferred tensor", () => {
  function fixture(): { eager: Record<string, Tensor>; bytes: Uint8Array } {
    manual_seed(7);
    const eager = {
      x: randn([1, 3, 6, 6]), w: randn([8, 3, 3, 3]), b: randn([8]), s: tensor(2.5),
      ids: tensor([[3n, -1n], [0n, 2n ** 40n]]), counts: tensor([4n]), rows: tensor([[3n, 1n], [0n, 2n]]),
    };
    return { eager, bytes: safetensors.save(eager) };
  }

  test("data(), tolist() and item() read the file's bytes without copying them into linear memory", () => {
    const { eager, bytes } = fixture();
    const base = memory();
    const loaded = safetensors.load(bytes);
    for (const key of Object.keys(eager)) {
      expect(loaded[key].dtype).toBe(eager[key].dtype);
      expect(loaded[key].data<Float32Array | BigInt64Array>(), key).toEqual(eager[key].data<Float32Array | BigInt64Array>());
      expect(loaded[key].tolist(), key).toEqual(eager[key].tolist());
    }
    expect(loaded.ids.data<BigInt64Array>()).toBeInstanceOf(BigInt64Array);
    expect(loaded.ids.tolist()).toEqual([[3, -1], [0, 2 ** 40]]);
    expect(loaded.s.item()).toBe(2.5);
    expect(loaded.counts.item()).toBe(4);
    expect(memory().liveBytes).toBe(base.liveBytes);
    disposeAll(loaded);
    disposeAll(eager);
  });

  test("works in ops as its eager copy does: conv2d, add, a reshape view then an op, int64 indices", () => {
    const { eager, bytes } = fixture();
    const loaded = safetensors.load(bytes);
    tidy(() => {
      expect(F.conv2d(loaded.x, loaded.w, loaded.b, 1, 1).data()).toEqual(F.conv2d(eager.x, eager.w, eager.b, 1, 1).data());
      expect(loaded.b.add(loaded.s).data()).toEqual(eager.b.add(eager.s).data());
      const view = loaded.w.reshape(8, -1);
      expect(view.sum(1).data()).toEqual(eager.w.reshape(8, -1).sum(1).data());
      const table = randn([4, 3]);
      expect(F.embedding(loaded.rows, table).data()).toEqual(F.embedding(eager.rows, table).data());
      expect(cat([loaded.counts, loaded.counts]).data<BigInt64Array>()).toEqual(new BigInt64Array([4n, 4n]));
    });
    disposeAll(loaded);
    disposeAll(eager);
  });

  test("views share its storage: a reshape copies nothing, and the first op copies the data in once", () => {
    const { eager, bytes } = fixture();
    const loaded = safetensors.load(bytes);
    const base = memory();
    const view = loaded.w.reshape(8, 27);
    const flat = view.flatten();
    expect(memory().liveBytes).toBe(base.liveBytes);
    expect(memory().liveTensors).toBe(base.liveTensors + 2);
    const y = flat.add(1);
    // the data (864 bytes) and the result, once: the other handles see the same storage
    expect(memory().liveBytes).toBe(base.liveBytes + 2 * 864);
    loaded.w.mul_(2);
    expect(view.data()).toEqual(tidy(() => eager.w.mul(2).data()));
    expect(memory().liveBytes).toBe(base.liveBytes + 2 * 864);
    for (const t of [view, flat, y]) t.dispose();
    disposeAll(loaded);
    expect(memory().liveBytes).toBe(base.liveBytes);
    disposeAll(eager);
  });

  test("in-place writes copy the data in first and never write into the caller's bytes", () => {
    const { eager, bytes } = fixture();
    const pristine = bytes.slice();
    const loaded = safetensors.load(bytes);
    const view = loaded.b.view(2, 4);
    loaded.b.add_(1);
    expect(view.data()).toEqual(tidy(() => eager.b.add(1).data()));
    nn.init.constant_(loaded.x, 3);
    expect(loaded.x.data().every((v) => v === 3)).toBe(true);
    expect(bytes).toEqual(pristine);
    view.dispose();
    disposeAll(loaded);
    disposeAll(eager);
  });

  test("a write whose allocation grows linear memory lands (nn.init takes the address before its heap view)", () => {
    const n = 65536;   // 256 KiB, more than a page: the allocation must grow the memory
    const bytes = safetensors.save({ t: zeros([n]) });
    const loaded = safetensors.load(bytes);
    const fillers = fillHeap(n * 4);
    const grown = memory().wasmBytes;
    // constant_ on a deferred tensor replaces its data with a recipe: nothing allocated yet
    nn.init.constant_(loaded.t, 5);
    expect(memory().wasmBytes).toBe(grown);
    expect(loaded.t.data().every((v) => v === 5)).toBe(true);
    // trunc_normal_ (rejection sampling: an unknown number of draws) writes now: it allocates
    manual_seed(5);
    nn.init.trunc_normal_(loaded.t);
    expect(memory().wasmBytes, "the allocation grew the memory").toBeGreaterThan(grown);
    manual_seed(5);
    const expected = nn.init.trunc_normal_(zeros([n]));
    expect(loaded.t.data()).toEqual(expected.data());
    expected.dispose();
    for (const t of fillers) t.dispose();
    disposeAll(loaded);
  });

  test("safetensors.save of deferred tensors reads the file's bytes: save(load(bytes)) is bytes", () => {
    const { eager, bytes } = fixture();
    const base = memory();
    const loaded = safetensors.load(bytes);
    expect(safetensors.save(loaded)).toEqual(bytes);
    expect(memory().liveBytes).toBe(base.liveBytes);
    // mixed with tensors in linear memory, and after one of them was copied in
    tidy(() => loaded.s.add(0));
    const mixed = safetensors.save({ ...loaded, extra: eager.b });
    const again = safetensors.load(mixed);
    for (const key of [...Object.keys(eager), "extra"]) {
      expect(again[key].data<Float32Array | BigInt64Array>(), key).toEqual(eager[key === "extra" ? "b" : key].data<Float32Array | BigInt64Array>());
    }
    disposeAll(again);
    disposeAll(loaded);
    disposeAll(eager);
  });

  test("disposed before use, it frees nothing and leaks nothing; scopes free loaded tensors too", () => {
    const { eager, bytes } = fixture();
    const base = memory();
    const loaded = safetensors.load(bytes);
    const view = loaded.w.reshape(-1);
    view.dispose();
    disposeAll(loaded);
    loaded.w.dispose();   // twice is safe
    expect(memory()).toEqual(base);
    // inside a scope: all of them freed at its end, those an op copied in and those it did not
    tidy(() => {
      const scoped = safetensors.load(bytes);
      scoped.b.add(1);
      scoped.ids.reshape(4);
    });
    expect(memory().liveBytes).toBe(base.liveBytes);
    expect(memory().liveTensors).toBe(base.liveTensors);
    expect(() => loaded.w.data()).toThrow(/used after dispose/);
    disposeAll(eager);
  });

  test("the bytes detached (transferred) before it was read: a clear error naming the tensor; the model keeps its state", () => {
    manual_seed(4);
    const m = new nn.Linear(4, 3);
    const other = new nn.Linear(4, 3);
    const buffer = safetensors.save(other.state_dict()).slice().buffer;
    other.dispose();
    const loaded = safetensors.load(buffer);
    const bias = tidy(() => loaded.bias.add(0).data());   // the bias is copied in before the transfer
    const before = safetensors.save(m.state_dict());
    structuredClone(buffer, { transfer: [buffer] });
    expect(buffer.byteLength).toBe(0);
    const message = /^safetensors tensor 'weight' \(float32, shape \[3, 4\]\): the bytes passed to safetensors\.load were detached \(transferred\) or resized before this tensor was read; they must stay unchanged while the loaded tensors are alive$/;
    expect(() => loaded.weight.data()).toThrow(message);
    expect(() => loaded.weight.tolist()).toThrow(message);
    expect(() => loaded.weight.add(1)).toThrow(message);
    expect(() => tidy(() => F.linear(randn([1, 4]), loaded.weight))).toThrow(message);
    expect(() => safetensors.save(loaded)).toThrow(message);
    expect(() => m.load_state_dict(loaded)).toThrow(message);
    expect(safetensors.save(m.state_dict()), "nothing copied, not even the bias").toEqual(before);
    expect(loaded.bias.data()).toEqual(bias);
    const base = memory().liveBytes;
    disposeAll(loaded);
    expect(memory().liveBytes).toBe(base - 12);   // the bias's copy; the weight never had one
    m.dispose();
  });

  test("unaligned data offsets (a header of odd length) read right, as data(), in ops and in load_state_dict", () => {
    const file = oddFile([
      ["weight", "F32", [2, 1], [1.5, -2]],
      ["ids", "I64", [2], [-5n, 2n ** 40n + 1n]],
      ["bias", "F32", [2], [0.25, 3]],
    ]);
    expect((8 + Number(new DataView(file.buffer).getBigUint64(0, true))) % 2).toBe(1);
    // also at an odd byteOffset inside a larger buffer
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    for (const bytes of [file, shifted.subarray(3)]) {
      const loaded = safetensors.load(bytes);
      expect(loaded.weight.data()).toEqual(new Float32Array([1.5, -2]));
      expect(loaded.ids.data<BigInt64Array>()).toEqual(new BigInt64Array([-5n, 2n ** 40n + 1n]));
      expect(loaded.bias.tolist()).toEqual([0.25, 3]);
      const m = new nn.Linear(1, 2);
      m.load_state_dict({ weight: loaded.weight, bias: loaded.bias });
      expect(tidy(() => (m.forward(tensor([[2]])) as Tensor).data())).toEqual(new Float32Array([3.25, -1]));
      expect(tidy(() => loaded.weight.add(loaded.bias.view(2, 1)).data())).toEqual(new Float32Array([1.75, 1]));
      expect(tidy(() => cat([loaded.ids, loaded.ids]).data<BigInt64Array>())).toEqual(new BigInt64Array([-5n, 2n ** 40n + 1n, -5n, 2n ** 40n + 1n]));
      // save writes the standard layout; its values are the same
      const again = safetensors.load(safetensors.save(loaded));
      expect(again.ids.data<BigInt64Array>()).toEqual(loaded.ids.data<BigInt64Array>());
      disposeAll(again);
      disposeAll(loaded);
      m.dispose();
    }
  });

  test("0-element tensors load, compute and save; nothing allocated", () => {
    const bytes = safetensors.save({ a: zeros([0]), b: zeros([3, 0]), c: tensor(new BigInt64Array(0)) });
    const base = memory();
    const loaded = safetensors.load(bytes);
    expect(loaded.b.shape).toEqual([3, 0]);
    expect(loaded.a.data()).toEqual(new Float32Array(0));
    expect(loaded.c.data<BigInt64Array>()).toEqual(new BigInt64Array(0));
    expect(loaded.b.tolist()).toEqual([[], [], []]);
    expect(tidy(() => loaded.b.add(1).shape)).toEqual([3, 0]);
    expect(tidy(() => loaded.b.reshape(0, 3).shape)).toEqual([0, 3]);
    expect(safetensors.save(loaded)).toEqual(bytes);
    expect(memory().liveBytes).toBe(base.liveBytes);
    disposeAll(loaded);
    expect(memory()).toEqual(base);
  });

  test("a file that is itself a view of linear memory is read from a copy (growth would detach it)", () => {
    const { eager, bytes } = fixture();
    const holder = zeros([Math.ceil(bytes.length / 4)]);
    const at = holder.ptr;
    heapU8().set(bytes, at);
    const loaded = safetensors.load(heapU8().subarray(at, at + bytes.length));
    holder.dispose();
    const fillers = fillHeap(1 << 20);   // the memory grows: the old heap buffer is detached
    for (const key of Object.keys(eager)) {
      expect(loaded[key].data<Float32Array | BigInt64Array>(), key).toEqual(eager[key].data<Float32Array | BigInt64Array>());
    }
    for (const t of fillers) t.dispose();
    disposeAll(loaded);
    disposeAll(eager);
  });
});

test("the finalizer frees dropped deferred tensors, copied in or not (built package, --expose-gc)", () => {
  const result = afterCollection(`
    const bytes = tidy(() => safetensors.save({ a: randn([1000]), b: randn([10, 10]), c: randn([3]) }));`, `
      const loaded = safetensors.load(bytes);
      loaded.a.add_(1);              // copied in (4000 bytes), then dropped
      loaded.b.reshape(100);         // a view, dropped`,
    "init, safetensors, randn, tidy");
  expect(result.afterDrop).toEqual({ tensors: 4, bytes: 4000 });
  expect(result.left).toBe(0);
  expect(result.bytes).toBe(0);
}, 60_000);
