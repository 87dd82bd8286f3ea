// Bad input everywhere, and memory that stays flat (issue 5, items 3 and 4).
//
// Every bad call must throw a clear JavaScript Error (never a WebAssembly.RuntimeError) before it
// touches memory; afterwards a canary tensor allocated first is byte-identical, nothing leaked,
// and the next forward of a reference module gives the same (correct) answer. NaN/±inf and
// zero-size dimensions behave as in PyTorch. Then: a 10,000-iteration soak of the seed block
// mixed with every other op keeps linear memory and live bytes flat; use after dispose throws;
// double dispose is safe; tensors survive memory.grow; tidy frees all but its result; and the
// allocator's fragmentation under random-sized churn is measured and printed.
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { init, nn, F, tensor, zeros, ones, randn, manual_seed, memory, tidy, safetensors, type Tensor } from "../src/index.js";
import { conv2dRef, maxPool2dRef, batchNormRef, reluRef, type Ref } from "./reference.js";

await init();
manual_seed(2024);

// ---------------------------------------------------------------------------------------------
// the canary and the reference module

/** Allocated before anything else: any stray write by a kernel or the host shows up here. */
const CANARY_F32 = Float32Array.from({ length: 4099 }, (_, i) => (i === 7 ? NaN : i === 8 ? -0 : Math.sin(i) * 1000));
const canary = tensor(CANARY_F32, [4099]);
const CANARY_I64 = BigInt64Array.from({ length: 33 }, (_, i) => BigInt(i) * 0x0123456789abn - 7n);
const canaryI64 = tensor(CANARY_I64, [3, 11]);
const canaryBytes = (): Uint8Array => new Uint8Array(canary.data().buffer);
const CANARY_BYTES = canaryBytes().slice();

/** A conv -> bn -> relu(inplace) -> maxpool block with loaded state, in eval mode. */
const refModel = new nn.Sequential(new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(true), new nn.MaxPool2d(2));
const refInput = randn([2, 3, 9, 7]);
let refExpected: Float32Array;

function expectClose(actual: ArrayLike<number>, ref: Ref, label: string): void {
  expect(actual.length, label).toBe(ref.data.length);
  for (let i = 0; i < actual.length; i++) {
    const e = ref.data[i];
    if (!Number.isFinite(e)) {
      if (!(Object.is(actual[i], e) || (Number.isNaN(actual[i]) && Number.isNaN(e)))) throw new Error(`${label}: element ${i} is ${actual[i]}, expected ${e}`);
    } else if (!(Math.abs(actual[i] - e) <= ref.err[i])) {
      throw new Error(`${label}: element ${i} is ${actual[i]}, expected ${e} ± ${ref.err[i]}`);
    }
  }
}

beforeAll(() => {
  tidy(() => {
    const bn = refModel[1] as nn.BatchNorm2d;
    refModel.load_state_dict({
      ...refModel.state_dict(),
      "1.running_mean": randn([8]),
      "1.running_var": tensor(Float32Array.from({ length: 8 }, (_, i) => 0.5 + i / 4), [8]),
      "1.weight": randn([8]),
      "1.bias": randn([8]),
    });
    refModel.eval();
    refExpected = (refModel.forward(refInput) as Tensor).data();
    // checked once against the scalar reference; later forwards must repeat it bit for bit
    const conv = refModel[0] as nn.Conv2d;
    let ref = conv2dRef({ shape: [...refInput.shape], data: refInput.data() }, { shape: [...conv.weight.shape], data: conv.weight.data() },
      { shape: [8], data: conv.bias!.data() }, { padding: 1 });
    ref = batchNormRef(ref, {
      running_mean: Float64Array.from(bn.running_mean!.data()), running_var: Float64Array.from(bn.running_var!.data()),
      weight: bn.weight!.data(), bias: bn.bias!.data(), num_batches_tracked: 0,
    }, { eps: 1e-5, momentum: 0.1, training: false, track_running_stats: true });
    ref = reluRef(ref);
    const pooled = maxPool2dRef(ref, 2).out;
    // max pooling passes on its window's largest allowed error
    pooled.err.fill(Math.max(...ref.err));
    expectClose(refExpected, pooled, "reference module");
  });
});

/** The first byte where two arrays differ, or -1 (vitest's toEqual is slow on large typed arrays). */
function firstDifference(a: ArrayBufferView, b: ArrayBufferView): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** The invariants every case ends with. */
function expectHealthy(label: string): void {
  expect(firstDifference(canaryBytes(), CANARY_BYTES), `${label}: canary`).toBe(-1);
  expect(firstDifference(canaryI64.data<BigInt64Array>(), CANARY_I64), `${label}: int64 canary`).toBe(-1);
  const y = refModel.forward(refInput) as Tensor;
  const out = y.data();
  y.dispose();
  expect(firstDifference(out, refExpected), `${label}: reference module's next forward`).toBe(-1);
}

/** Modules made by a case; disposed after it (their parameters are outside every scope). */
const made: nn.Module[] = [];
const mk = <M extends nn.Module>(module: M): M => {
  made.push(module);
  return module;
};
afterEach(() => {
  for (const m of made.splice(0)) m.dispose();
});

/** Runs a bad call inside tidy (its inputs are freed) and checks the error and the aftermath. */
function expectRefused(label: string, fn: () => unknown, pattern: RegExp): void {
  const before = memory();
  let caught: unknown = null;
  try {
    tidy(() => { fn(); });
  } catch (error) {
    caught = error;
  }
  for (const m of made.splice(0)) m.dispose();
  expect(caught, `${label} must throw`).toBeInstanceOf(Error);
  expect(caught, `${label}: not a trap`).not.toBeInstanceOf(WebAssembly.RuntimeError);
  expect((caught as Error).message, label).toMatch(pattern);
  const after = memory();
  expect(after.liveTensors, `${label}: live tensors`).toBe(before.liveTensors);
  expect(after.liveBytes, `${label}: live bytes`).toBeLessThanOrEqual(before.liveBytes);
  expect(after.wasmBytes, `${label}: linear memory`).toBe(before.wasmBytes);
  expectHealthy(label);
}

const x4 = (): Tensor => randn([1, 3, 8, 8]);
const i64 = (): Tensor => tensor(new BigInt64Array(3 * 64), [1, 3, 8, 8]);

// ---------------------------------------------------------------------------------------------

describe("bad input everywhere: a clear error, nothing touched", () => {
  const cases: [string, () => unknown, RegExp][] = [
    // wrong rank
    ["conv2d on a 2-D input", () => mk(new nn.Conv2d(3, 4, 3)).forward(randn([8, 8])), /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[8, 8\]/],
    ["conv2d on a 5-D input", () => mk(new nn.Conv2d(3, 4, 3)).forward(randn([1, 1, 3, 8, 8])), /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d/],
    ["conv2d on a 0-d tensor", () => mk(new nn.Conv2d(3, 4, 3)).forward(tensor(1)), /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[\]/],
    ["max_pool2d on a 2-D input", () => mk(new nn.MaxPool2d(2)).forward(randn([8, 8])), /3D or 4D \(batch mode\) tensor expected for input/],
    ["avg_pool2d on a 2-D input", () => mk(new nn.AvgPool2d(2)).forward(randn([8, 8])), /Dimension out of range/],
    ["adaptive_avg_pool2d on a 5-D input", () => F.adaptive_avg_pool2d(randn([1, 1, 1, 4, 4]), 2), /Expected 3D or 4D tensor/],
    ["BatchNorm2d on a 3-D input", () => mk(new nn.BatchNorm2d(3)).forward(randn([3, 8, 8])), /expected 4D input \(got 3D input\)/],
    ["F.batch_norm on a 1-D input", () => F.batch_norm(randn([3]), zeros([3]), ones([3])), /expected input with at least 2 dimensions/],
    ["Linear on a 0-d tensor", () => mk(new nn.Linear(1, 2)).forward(tensor(3)), /both arguments to linear need to be at least 1D/],
    ["conv2d with a 3-D weight", () => F.conv2d(x4(), randn([4, 3, 3])), /Expected 4-dimensional weight/],
    // wrong channel count / features
    ["conv2d with 4 channels for 3", () => mk(new nn.Conv2d(3, 4, 3)).forward(randn([1, 4, 8, 8])), /expected input\[1, 4, 8, 8\] to have 3 channels, but got 4 channels instead/],
    ["grouped conv2d with 5 channels for 6", () => mk(new nn.Conv2d(6, 6, 3, { groups: 3 })).forward(randn([1, 5, 8, 8])), /Given groups=3, weight of size \[6, 2, 3, 3\], expected input\[1, 5, 8, 8\] to have 6 channels, but got 5 channels instead/],
    ["conv2d bias of the wrong length", () => F.conv2d(x4(), randn([4, 3, 3, 3]), randn([5])), /expected bias to be 1-dimensional with 4 elements, but got bias of size \[5\]/],
    ["BatchNorm2d(3) on 4 channels", () => mk(new nn.BatchNorm2d(3)).eval().forward(randn([1, 4, 8, 8])), /running_mean should contain 4 elements not 3/],
    ["Linear(7, 2) on 8 features", () => mk(new nn.Linear(7, 2)).forward(x4()), /mat1 and mat2 shapes cannot be multiplied \(24x8 and 7x2\)/],
    ["add of different shapes", () => x4().add(randn([1, 3, 8, 7])), /The size of tensor a \(8\) must match the size of tensor b \(7\) at non-singleton dimension 3/],
    // wrong dtype: int64 tensors into every float op
    ["int64 into Conv2d", () => mk(new nn.Conv2d(3, 4, 3)).forward(i64()), /conv2d\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 weight into F.conv2d", () => F.conv2d(x4(), tensor(new BigInt64Array(4 * 27), [4, 3, 3, 3])), /conv2d\(\): expected weight to be a float32 tensor, but got int64/],
    ["int64 into MaxPool2d", () => mk(new nn.MaxPool2d(2)).forward(i64()), /max_pool2d\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 into AvgPool2d", () => mk(new nn.AvgPool2d(2)).forward(i64()), /avg_pool2d\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 into AdaptiveMaxPool2d", () => mk(new nn.AdaptiveMaxPool2d(2)).forward(i64()), /adaptive_max_pool2d\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 into BatchNorm2d", () => mk(new nn.BatchNorm2d(3)).forward(i64()), /batch_norm\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 running_mean into F.batch_norm", () => F.batch_norm(x4(), tensor(new BigInt64Array(3), [3]), ones([3])), /expected running_mean to be a float32 tensor, but got int64/],
    ["int64 into Linear", () => mk(new nn.Linear(8, 2)).forward(i64()), /linear\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 into ReLU(inplace)", () => mk(new nn.ReLU(true)).forward(i64()), /relu\(\): expected input to be a float32 tensor, but got int64/],
    ["int64 into ReLU6", () => mk(new nn.ReLU6()).forward(i64()), /relu6\(\): expected input to be a float32 tensor, but got int64/],
    // (a float32 self takes an int64 operand as PyTorch does, promoting it; an int64 self cannot hold the float result)
    ["int64 self of add_", () => i64().add_(x4()), /result type Float can't be cast to the desired output type Long/],
    // not a tensor at all
    ["a number into Conv2d", () => mk(new nn.Conv2d(3, 4, 3)).forward(3 as unknown as Tensor), /conv2d\(\): argument 'input' must be Tensor, not number/],
    ["null into MaxPool2d", () => mk(new nn.MaxPool2d(2)).forward(null as unknown as Tensor), /max_pool2d\(\): argument 'input' must be Tensor, not None/],
    ["nested arrays into F.relu", () => F.relu([[1, 2]] as unknown as Tensor), /relu\(\): argument 'input' must be Tensor, not object/],
    ["a Float32Array into Linear", () => mk(new nn.Linear(2, 2)).forward(new Float32Array(2) as unknown as Tensor), /linear\(\): argument 'input' must be Tensor/],
    // non-integer, non-finite and negative parameters
    ["Conv2d kernel 2.5", () => new nn.Conv2d(3, 4, 2.5), /argument 'kernel_size' must be tuple of ints, but found element of type float at pos 1/],
    ["Conv2d kernel NaN", () => new nn.Conv2d(3, 4, NaN), /argument 'kernel_size' must be tuple of ints/],
    ["Conv2d kernel Infinity", () => new nn.Conv2d(3, 4, Infinity), /argument 'kernel_size' must be tuple of ints/],
    ["Conv2d kernel 0", () => new nn.Conv2d(3, 4, 0), /kernel size should be greater than zero/],
    ["Conv2d kernel 100000 (weight too large)", () => new nn.Conv2d(3, 4, 100000), /needs 447\.03 GiB, more than the 1024\.0 MiB a wasm32 block can hold/],
    ["Conv2d in_channels 3.5", () => new nn.Conv2d(3.5, 4, 3), /in_channels must be an int, but got 3\.5/],
    ["Conv2d in_channels -1", () => new nn.Conv2d(-1, 4, 3), /in_channels must be non-negative, but got -1/],
    ["Conv2d out_channels -4", () => new nn.Conv2d(3, -4, 3), /out_channels must be non-negative, but got -4/],
    ["Conv2d stride 1.5", () => new nn.Conv2d(3, 4, 3, 1.5), /argument 'stride' must be tuple of ints, but found element of type float/],
    ["Conv2d stride 0", () => new nn.Conv2d(3, 4, 3, 0), /non-positive stride is not supported/],
    ["Conv2d stride -1", () => new nn.Conv2d(3, 4, 3, -1), /non-positive stride is not supported/],
    ["Conv2d stride of 3 values", () => new nn.Conv2d(3, 4, 3, [1, 2, 3]), /expected stride to be a single integer value or a list of 2 values/],
    ["Conv2d padding -1", () => new nn.Conv2d(3, 4, 3, 1, -1), /negative padding is not supported/],
    ["Conv2d padding 'foo'", () => new nn.Conv2d(3, 4, 3, 1, "foo"), /Invalid padding string 'foo', should be one of \{'same', 'valid'\}/],
    ["Conv2d padding 'same' with stride 2", () => new nn.Conv2d(3, 4, 3, 2, "same"), /padding='same' is not supported for strided convolutions/],
    ["Conv2d dilation 0", () => new nn.Conv2d(3, 4, 3, 1, 0, 0), /dilation should be greater than zero/],
    ["Conv2d groups 0", () => new nn.Conv2d(3, 4, 3, 1, 0, 1, 0), /groups must be a positive integer/],
    ["Conv2d groups 1.5", () => new nn.Conv2d(3, 4, 3, 1, 0, 1, 1.5), /groups must be an int, but got 1\.5/],
    ["Conv2d groups not dividing in_channels", () => new nn.Conv2d(3, 4, 3, 1, 0, 1, 2), /in_channels must be divisible by groups/],
    ["Conv2d padding_mode 'mirror'", () => new nn.Conv2d(3, 4, 3, { padding_mode: "mirror" }), /padding_mode must be one of zeros, reflect, replicate, circular, but got 'mirror'/],
    ["Conv2d unknown option", () => new nn.Conv2d(3, 4, 3, { strid: 2 }), /Conv2d.__init__\(\) got an unexpected keyword argument 'strid'/],
    ["Conv2d reflect padding >= input size", () => mk(new nn.Conv2d(3, 4, 3, 1, 8, 1, 1, true, "reflect")).forward(x4()), /Padding size should be less than the corresponding input dimension, but got: padding \(8, 8\)/],
    ["Conv2d circular padding wrapping twice", () => mk(new nn.Conv2d(3, 4, 3, 1, 9, 1, 1, true, "circular")).forward(x4()), /Padding value causes wrapping around more than once/],
    ["Conv2d kernel larger than the input", () => mk(new nn.Conv2d(3, 4, 9)).forward(x4()), /Kernel size can't be greater than actual input size/],
    ["F.conv2d groups -1", () => F.conv2d(x4(), randn([4, 3, 3, 3]), null, 1, 0, 1, -1), /non-positive groups is not supported/],
    ["MaxPool2d kernel 2.5", () => mk(new nn.MaxPool2d(2.5)).forward(x4()), /argument 'kernel_size' must be tuple of ints, but found element of type float/],
    ["MaxPool2d kernel '2'", () => mk(new nn.MaxPool2d("2" as unknown as number)).forward(x4()), /kernel_size must either be a single int, or a tuple of two ints/],
    ["MaxPool2d stride 0", () => mk(new nn.MaxPool2d(2, 0)).forward(x4()), /stride should not be zero/],
    ["MaxPool2d stride -1", () => mk(new nn.MaxPool2d(2, -1)).forward(x4()), /stride should be greater than zero/],
    ["MaxPool2d padding -1", () => mk(new nn.MaxPool2d(2, 1, -1)).forward(x4()), /pad must be non-negative, but got pad: -1/],
    ["MaxPool2d padding > kernel/2", () => mk(new nn.MaxPool2d(3, 1, 2)).forward(x4()), /pad should be at most half of kernel size, but got pad=2 and kernel_size=3/],
    ["MaxPool2d dilation 0", () => mk(new nn.MaxPool2d(2, 1, 0, 0)).forward(x4()), /dilation should be greater than zero/],
    ["MaxPool2d window larger than the input", () => mk(new nn.MaxPool2d(20)).forward(x4()), /Output size is too small/],
    ["AvgPool2d divisor_override 0", () => mk(new nn.AvgPool2d(2, { divisor_override: 0 })).forward(x4()), /divisor must be not zero/],
    ["AvgPool2d divisor_override 1.5", () => mk(new nn.AvgPool2d(2, { divisor_override: 1.5 })).forward(x4()), /argument 'divisor_override' must be int, not float/],
    ["AvgPool2d kernel -2", () => mk(new nn.AvgPool2d(-2)).forward(x4()), /kernel_size=-2/],
    ["AvgPool2d ceil_mode 'yes'", () => new nn.AvgPool2d(2, { ceil_mode: "yes" }), /ceil_mode must be a bool/],
    ["AdaptiveAvgPool2d(-1)", () => mk(new nn.AdaptiveAvgPool2d(-1)).forward(x4()), /output_size must be non-negative, but got -1/],
    ["AdaptiveAvgPool2d(1.5)", () => mk(new nn.AdaptiveAvgPool2d(1.5)).forward(x4()), /output_size must contain ints or None, but got 1\.5/],
    ["AdaptiveMaxPool2d of 3 sizes", () => mk(new nn.AdaptiveMaxPool2d([1, 2, 3])).forward(x4()), /output_size must be 2/],
    ["BatchNorm2d(-1)", () => new nn.BatchNorm2d(-1), /num_features must be non-negative, but got -1/],
    ["BatchNorm2d(2.5)", () => new nn.BatchNorm2d(2.5), /num_features must be an int, but got 2\.5/],
    ["BatchNorm2d eps 'x'", () => new nn.BatchNorm2d(3, "x"), /eps must be a float/],
    ["BatchNorm2d momentum 'a'", () => new nn.BatchNorm2d(3, 1e-5, "a"), /momentum must be a float or None/],
    ["BatchNorm2d training on one value per channel", () => mk(new nn.BatchNorm2d(3)).forward(randn([1, 3, 1, 1])), /Expected more than 1 value per channel when training, got input size torch\.Size\(\[1, 3, 1, 1\]\)/],
    ["Linear(-1, 2)", () => new nn.Linear(-1, 2), /in_features must be non-negative, but got -1/],
    ["Linear(2.5, 2)", () => new nn.Linear(2.5, 2), /in_features must be an int, but got 2\.5/],
    ["ReLU('yes')", () => new nn.ReLU("yes" as unknown as boolean), /inplace must be a bool/],
    ["Flatten(5)", () => mk(new nn.Flatten(5)).forward(x4()), /Dimension out of range \(expected to be in range of \[-4, 3\], but got 5\)/],
    ["Flatten(1.5)", () => mk(new nn.Flatten(1.5)).forward(x4()), /flatten\(\): argument 'start_dim' \(position 2\) must be int, not float/],  // PyTorch: a TypeError
    ["F.pad with NaN", () => F.pad(x4(), [NaN, 1]), /argument 'pad' must be tuple of ints/],
    ["F.pad of odd length", () => F.pad(x4(), [1, 1, 1]), /Padding length must be divisible by 2/],
    ["F.pad mode 'wrap'", () => F.pad(x4(), [1, 1], "wrap"), /Unrecognised padding mode wrap/],
    ["tensor() with a wrong shape", () => tensor(new Float32Array(4), [3]), /shape '\[3\]' is invalid for input of size 4/],
    ["tensor() of ragged arrays", () => tensor([[1, 2], [3]]), /expected sequence of length 2 at dim 1/],
    ["tensor() of strings", () => tensor([["a"]] as unknown as number[][]), /expected a number at depth 2/],
    ["reshape to a wrong size", () => x4().reshape([5, -1]), /shape '\[5, -1\]' is invalid for input of size 192/],
    ["reshape with two -1", () => x4().reshape([-1, -1]), /only one dimension can be inferred/],
    ["zeros with a negative size", () => zeros([-1, 4]), /sizes must be non-negative integers, but got -1/],
    ["zeros with a size of 1.5", () => zeros([1.5]), /sizes must be non-negative integers, but got 1\.5/],
    ["zeros with a NaN size", () => zeros([NaN]), /sizes must be non-negative integers, but got NaN/],
    // a disposed module and its tensors
    ["forward of a disposed Conv2d", () => { const m = new nn.Conv2d(3, 4, 3); m.dispose(); return m.forward(x4()); }, /Tensor of shape \[4, 3, 3, 3\] was used after dispose\(\)/],
    ["forward of a disposed BatchNorm2d", () => { const m = new nn.BatchNorm2d(3); m.dispose(); return m.forward(x4()); }, /was used after dispose\(\)/],
    ["forward of a disposed Linear", () => { const m = new nn.Linear(8, 4); m.dispose(); return m.forward(x4()); }, /Tensor of shape \[4, 8\] was used after dispose\(\)/],
    ["forward of a disposed Sequential", () => { const m = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.ReLU()); m.dispose(); return m.forward(x4()); }, /was used after dispose\(\)/],
    ["a disposed module's weight into F.conv2d", () => { const m = new nn.Conv2d(3, 4, 3); const w = m.weight; m.dispose(); return F.conv2d(x4(), w); }, /was used after dispose\(\)/],
    ["reading a disposed module's state_dict", () => { const m = new nn.Conv2d(3, 4, 3); const sd = m.state_dict(); m.dispose(); return sd.weight.data(); }, /was used after dispose\(\)/],
    ["loading a disposed module's state_dict", () => { const m = new nn.Conv2d(3, 4, 3); const sd = m.state_dict(); m.dispose(); return mk(new nn.Conv2d(3, 4, 3)).load_state_dict(sd); }, /received a disposed Tensor/],
    ["loading into a disposed module", () => { const m = new nn.Conv2d(3, 4, 3); m.dispose(); return m.load_state_dict(mk(new nn.Conv2d(3, 4, 3)).state_dict()); }, /was used after dispose\(\)/],
    ["a disposed input", () => { const x = x4(); x.dispose(); return mk(new nn.MaxPool2d(2)).forward(x); }, /Tensor of shape \[1, 3, 8, 8\] was used after dispose\(\)/],
    ["a disposed bias into F.linear", () => { const b = zeros([2]); b.dispose(); return F.linear(randn([1, 3]), randn([2, 3]), b); }, /was used after dispose\(\)/],
    // sizes a wasm32 heap cannot hold: refused before allocating (linear memory must not grow)
    ["zeros([65536, 65536]) (16 GiB)", () => zeros([65536, 65536]), /a float32 tensor of shape \[65536, 65536\] needs 16\.00 GiB, more than the 1024\.0 MiB a wasm32 block can hold/],
    ["zeros of 2^80 elements", () => zeros([2 ** 40, 2 ** 40]), /needs .* GiB, more than the 1024\.0 MiB/],
    ["ones of exactly 1 GiB", () => ones([2 ** 28]), /needs 1\.00 GiB, more than the 1024\.0 MiB/],
    ["randn of 1e10 elements", () => randn([1e10]), /needs 37\.25 GiB/],
    ["an int64 tensor of 2^27 elements", () => tensor(new BigInt64Array(1), [2 ** 27]), /a int64 tensor of shape \[134217728\] needs 1\.00 GiB/],
    ["a conv whose output passes 1 GiB", () => mk(new nn.Conv2d(1, 1, 1, { padding: 8192 })).forward(randn([1, 1, 1, 1])), /a float32 tensor of shape \[1, 1, 16385, 16385\] needs 1\.00 GiB/],
    ["a conv whose output passes 4 GiB", () => mk(new nn.Conv2d(1, 64, 1, { padding: 8192 })).forward(randn([1, 1, 1, 1])), /shape \[1, 64, 16385, 16385\] needs 64\.01 GiB/],
    ["a replicate-padded conv of 6 GiB", () => mk(new nn.Conv2d(1, 1, 1, { padding: 20000, padding_mode: "replicate" })).forward(randn([1, 1, 1, 1])), /needs 5\.96 GiB/],
    ["F.pad to 13 GiB", () => F.pad(randn([1, 1, 1, 1]), [30000, 30000, 30000, 30000]), /needs 13\.41 GiB/],
    ["F.linear to 18 GiB", () => F.linear(randn([70000, 1]), randn([70000, 1])), /shape \[70000, 70000\] needs 18\.25 GiB/],
    ["adaptive_avg_pool2d to 3 GiB", () => F.adaptive_avg_pool2d(randn([1, 1, 1, 1]), [30000, 30000]), /needs 3\.35 GiB/],
  ];

  test.each(cases)("%s", (label, fn, pattern) => {
    expectRefused(label, fn, pattern);
  });

  // regression: Linear once made its weight before checking `bias`, leaking it on this error
  test("Linear(2, 2, 'yes') refuses the bias without leaking a weight", () => {
    expectRefused("Linear bias 'yes'", () => new nn.Linear(2, 2, "yes"), /bias must be a bool, but got 'yes'/);
  });

  test("a failed BatchNorm2d training step changes no state", () => {
    const bn = new nn.BatchNorm2d(3);
    tidy(() => { bn.forward(randn([2, 3, 4, 4])); });
    const before = safetensors.save(bn.state_dict());
    expectRefused("train step with 4 channels", () => bn.forward(randn([2, 4, 4, 4])), /running_mean should contain 4 elements not 3/);
    expectRefused("train step on one value", () => bn.forward(randn([1, 3, 1, 1])), /Expected more than 1 value per channel/);
    expect(safetensors.save(bn.state_dict())).toEqual(before);
    expect(Number(bn.num_batches_tracked!.item())).toBe(1);
    bn.dispose();
  });
});

describe("NaN and ±inf propagate as in PyTorch", () => {
  afterEach(() => expectHealthy("after NaN case"));

  /** conv output vs the reference: NaN/inf exactly where the reference has them, the rest close. */
  function convCase(inputShape: number[], weightShape: number[], opts: Parameters<typeof conv2dRef>[3], poison: [number, number][]): void {
    tidy(() => {
      const data = randn(inputShape).data();
      for (const [i, v] of poison) data[i] = v;
      const x = tensor(data, inputShape);
      const w = randn(weightShape);
      const conv = mk(new nn.Conv2d(inputShape[1], weightShape[0], [weightShape[2], weightShape[3]],
        { stride: opts?.stride, padding: opts?.padding, dilation: opts?.dilation, groups: opts?.groups, padding_mode: opts?.padding_mode, bias: false }));
      conv.load_state_dict({ weight: w });
      const y = conv.forward(x);
      const ref = conv2dRef({ shape: inputShape, data }, { shape: weightShape, data: w.data() }, null, opts);
      const got = y.data();
      const nan = Array.from(ref.data, Number.isNaN).filter(Boolean).length;
      expect(nan + Array.from(ref.data, (v) => v === Infinity || v === -Infinity).filter(Boolean).length).toBeGreaterThan(0);
      expectClose(got, ref, "conv with poisoned input");
    });
  }

  test("conv2d: NaN where the window touches it (GEMM, 1x1, depthwise, reflect, strided)", () => {
    const at = (c: number, y: number, x: number, C = 2, H = 7, W = 7) => (c * H + y) * W + x;
    convCase([1, 2, 7, 7], [3, 2, 3, 3], { padding: 1 }, [[at(1, 3, 4), NaN]]);
    convCase([1, 2, 7, 7], [5, 2, 1, 1], {}, [[at(0, 0, 0), NaN], [at(1, 6, 6), Infinity]]);
    convCase([1, 2, 7, 7], [4, 1, 3, 3], { padding: 1, groups: 2 }, [[at(1, 2, 2), NaN]]);
    convCase([1, 2, 7, 7], [3, 2, 3, 3], { padding: 2, padding_mode: "reflect" }, [[at(0, 1, 0), NaN]]);
    convCase([1, 2, 7, 7], [3, 2, 3, 3], { padding: 1, padding_mode: "circular", stride: 2 }, [[at(0, 6, 6), -Infinity]]);
    convCase([1, 2, 7, 7], [3, 2, 2, 2], { dilation: 2 }, [[at(0, 3, 3), Infinity], [at(1, 3, 5), -Infinity]]);
  });

  test("a NaN weight makes its output channel NaN; others stay finite", () => {
    tidy(() => {
      const w = randn([3, 2, 3, 3]).data();
      w[1 * 18 + 4] = NaN;
      const y = F.conv2d(randn([1, 2, 5, 5]), tensor(w, [3, 2, 3, 3]), null, 1, 1).data();
      for (let i = 0; i < y.length; i++) expect(Number.isNaN(y[i]), `element ${i}`).toBe(Math.floor(i / 25) === 1);
    });
  });

  test("pools, activations, BatchNorm and Linear", () => {
    tidy(() => {
      const x = tensor([[[[1, NaN, 3, 4], [5, 6, -Infinity, 8], [Infinity, 2, 1, 0], [-1, -2, -3, -4]]]]);
      const [mx, idx] = F.max_pool2d(x, 2, { return_indices: true }) as [Tensor, Tensor];
      expect(Array.from(mx.data())).toEqual([NaN, 8, Infinity, 1]);
      expect(Array.from(idx.data<BigInt64Array>(), Number)).toEqual([1, 7, 8, 10]);
      expect(Array.from(F.avg_pool2d(x, 2).data())).toEqual([NaN, -Infinity, Infinity, -1.5]);
      expect(Array.from((F.adaptive_max_pool2d(x, 1) as Tensor).data())).toEqual([NaN]);
      expect(Array.from(F.adaptive_avg_pool2d(x, [1, 2]).data())).toEqual([NaN, -Infinity]);
      const v = tensor([NaN, Infinity, -Infinity, -1, 7, 3]);
      expect(Array.from(F.relu(v).data())).toEqual([NaN, Infinity, 0, 0, 7, 3]);
      expect(Array.from(F.relu6(v).data())).toEqual([NaN, 6, 0, 0, 6, 3]);
      // eval: only the element; train: the whole channel (its mean is NaN), and its running stats
      const bnIn = tensor([[[[1, NaN], [3, 4]], [[1, 2], [3, 4]]]]);
      const bn = mk(new nn.BatchNorm2d(2));
      const evalOut = bn.eval().forward(bnIn).data();
      expect(Array.from(evalOut, Number.isNaN)).toEqual([false, true, false, false, false, false, false, false]);
      const trainOut = bn.train().forward(bnIn).data();
      expect(Array.from(trainOut, Number.isNaN)).toEqual([true, true, true, true, false, false, false, false]);
      expect(Array.from(bn.running_mean!.data(), Number.isNaN)).toEqual([true, false]);
      expect(Array.from(bn.running_var!.data(), Number.isNaN)).toEqual([true, false]);
      const lin = F.linear(tensor([[1, NaN], [1, 2], [Infinity, 0]]), tensor([[1, 1], [2, -1]]));
      expect(Array.from(lin.data())).toEqual([NaN, NaN, 3, 0, Infinity, Infinity]);
    });
  });
});

describe("zero-size dimensions behave as in PyTorch", () => {
  afterEach(() => expectHealthy("after zero-size case"));

  test("empty batches flow through every layer", () => {
    tidy(() => {
      const x = randn([0, 3, 8, 8]);
      expect(mk(new nn.Conv2d(3, 4, 3)).forward(x).shape).toEqual([0, 4, 6, 6]);
      expect(mk(new nn.Conv2d(3, 6, 3, { groups: 3, padding: 1, padding_mode: "reflect" })).forward(x).shape).toEqual([0, 6, 8, 8]);
      expect(mk(new nn.MaxPool2d(2)).forward(x).shape).toEqual([0, 3, 4, 4]);
      const [out, idx] = mk(new nn.MaxPool2d<true>(2, { return_indices: true })).forward(x);
      expect([out.shape, idx.shape]).toEqual([[0, 3, 4, 4], [0, 3, 4, 4]]);
      expect(mk(new nn.AvgPool2d(3, 2, 1, true)).forward(x).shape).toEqual([0, 3, 5, 5]);
      expect(mk(new nn.AdaptiveAvgPool2d([2, null])).forward(x).shape).toEqual([0, 3, 2, 8]);
      expect(mk(new nn.BatchNorm2d(3)).eval().forward(x).shape).toEqual([0, 3, 8, 8]);
      expect(mk(new nn.ReLU(true)).forward(x).shape).toEqual([0, 3, 8, 8]);
      expect(mk(new nn.Flatten()).forward(x).shape).toEqual([0, 192]);
      expect(mk(new nn.Linear(8, 5)).forward(x).shape).toEqual([0, 3, 8, 5]);
      expect(F.pad(x, [1, 1, 2, 2], "replicate").shape).toEqual([0, 3, 12, 10]);
      const seed = mk(new nn.Sequential(new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1))).eval();
      expect(seed.forward(randn([0, 3, 37, 29])).shape).toEqual([0, 64, 10, 8]);
    });
  });

  test("a training BatchNorm2d refuses an empty batch (PyTorch: more than 1 value per channel)", () => {
    expectRefused("empty batch in training", () => mk(new nn.BatchNorm2d(3)).forward(randn([0, 3, 2, 2])), /Expected more than 1 value per channel when training, got input size torch\.Size\(\[0, 3, 2, 2\]\)/);
  });

  test("zero input channels or features give the bias (the sum over nothing is 0)", () => {
    tidy(() => {
      const conv = mk(new nn.Conv2d(0, 4, 3));
      conv.load_state_dict({ weight: zeros([4, 0, 3, 3]), bias: tensor([1, 2, 3, 4]) });
      const y = conv.forward(randn([2, 0, 5, 5]));
      expect(y.shape).toEqual([2, 4, 3, 3]);
      expect(Array.from(y.data())).toEqual(Array.from({ length: 72 }, (_, i) => (Math.floor(i / 9) % 4) + 1));
      // Linear(0, 3): PyTorch gives the bias for every row (this returned uninitialised memory before the fix)
      const lin = mk(new nn.Linear(0, 3));
      lin.load_state_dict({ weight: zeros([3, 0]), bias: tensor([1, 2, 3]) });
      expect(Array.from(lin.forward(zeros([2, 0])).data())).toEqual([1, 2, 3, 1, 2, 3]);
      expect(Array.from(F.linear(zeros([2, 2, 0]), zeros([2, 0])).data())).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    });
  });

  test("zero-size spatial dims are refused as PyTorch refuses them", () => {
    expectRefused("conv on H = 0", () => mk(new nn.Conv2d(3, 4, 3, { padding: 2 })).forward(randn([1, 3, 0, 8])), /Only zero batch or zero channel inputs are supported, but got input shape: \[1, 3, 0, 8\]/);
    expectRefused("max pool on W = 0", () => mk(new nn.MaxPool2d(2)).forward(randn([1, 3, 8, 0])), /Expected 3D or 4D \(batch mode\) tensor with optional 0 dim batch size for input, but got:\[1, 3, 8, 0\]/);
    expectRefused("adaptive pool on H = 0", () => F.adaptive_avg_pool2d(randn([1, 3, 0, 4]), 2), /Expected input to have non-zero size for non-batch dimensions/);
    expectRefused("replicate padding of an empty plane", () => F.pad(randn([1, 3, 0, 4]), [1, 1, 1, 1], "replicate"), /non-zero dimensions for input/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("memory", () => {
  test("use after dispose throws; double dispose is safe; views keep their storage", () => {
    const before = memory();
    const t = randn([4, 5]);
    const view = t.reshape([20]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(t.shape).toEqual([4, 5]);   // metadata stays readable
    expect(String(t)).toBe("Tensor(disposed, shape=[4, 5])");
    expect(() => t.data()).toThrow(/Tensor of shape \[4, 5\] was used after dispose\(\)/);
    expect(() => t.ptr).toThrow(/used after dispose/);
    expect(() => t.reshape([5, 4])).toThrow(/used after dispose/);
    expect(() => t.add(t)).toThrow(/used after dispose/);
    expect(() => F.relu(t)).toThrow(/used after dispose/);
    expect(() => t.tolist()).toThrow(/used after dispose/);
    expect(() => safetensors.save({ t })).toThrow(/used after dispose/);
    // the view still owns the data
    expect(view.data().length).toBe(20);
    const live = memory();
    t.dispose();
    t.dispose();
    expect(memory()).toEqual(live);
    view.dispose();
    view.dispose();
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(memory().liveTensors).toBe(before.liveTensors);
    // modules: dispose twice, then forward throws
    const m = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.BatchNorm2d(4));
    m.dispose();
    m.dispose();
    expect(() => tidy(() => m.forward(randn([1, 3, 5, 5])))).toThrow(/used after dispose/);
    // a module's dispose() also returns the kernels' shared workspaces (earlier tests grew them)
    expect(memory().breakdown.workspaces).toBe(0);
    const baseline = before.liveBytes - before.breakdown.workspaces;
    expect(memory().liveBytes).toBe(baseline);
    // `using` frees at the end of the block
    {
      using scoped = zeros([1000]);
      expect(memory().liveBytes).toBe(baseline + 4000);
      void scoped;
    }
    expect(memory().liveBytes).toBe(baseline);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expectHealthy("use after dispose");
  });

  test("tensors and packed weights made before a memory.grow read correctly after it", () => {
    const conv = mk(new nn.Conv2d(3, 16, 3, { padding: 1 }));
    const x = randn([1, 3, 10, 10]);
    const y0 = conv.forward(x);
    const expected = y0.data();
    const before = memory();
    // more than the free space: linear memory must grow (and the old ArrayBuffer detaches)
    const big = zeros([Math.ceil((before.wasmBytes + (8 << 20)) / 4)]);
    const grown = memory();
    expect(grown.wasmBytes).toBeGreaterThan(before.wasmBytes);
    expect(firstDifference(canaryBytes(), CANARY_BYTES)).toBe(-1);
    expect(firstDifference(y0.data(), expected)).toBe(-1);
    tidy(() => { expect(firstDifference(conv.forward(x).data(), expected)).toBe(-1); });   // the module's packed-weight cache survives
    big.add_(big);   // writes through fresh views
    expect(big.data()[12345]).toBe(0);
    big.dispose();
    x.dispose();
    y0.dispose();
    expectHealthy("after memory.grow");
  });

  test("tidy frees everything but its result (nested, on throw, and refuses promises)", () => {
    const before = memory();
    let inner = null as Tensor | null;
    let scratch = null as Tensor | null;
    const result = tidy(() => {
      const s = randn([10]);
      scratch = s;
      const a = s.add(s);
      inner = tidy(() => {
        const tmp = ones([10]);
        return tmp.add(a);
      });
      const unused = tidy(() => zeros([3]));   // a nested result the outer scope frees
      void unused;
      return { out: a, list: [inner, 42], nested: { deep: [inner] } };
    });
    expect(scratch!.isDisposed).toBe(true);
    expect(result.out.isDisposed).toBe(false);
    expect(inner!.isDisposed).toBe(false);
    expect(memory().liveTensors).toBe(before.liveTensors + 2);
    result.out.dispose();
    inner!.dispose();
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(() => tidy(() => { randn([100]); throw new Error("boom"); })).toThrow("boom");
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(() => tidy(() => { randn([100]); return Promise.resolve(1); })).toThrow(/tidy: fn must be synchronous/);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });

  test("10,000 forwards of the seed block interleaved with a mixed workload keep memory flat", () => {
    manual_seed(7);
    const seed = mk(new nn.Sequential(new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1))).eval();
    const input = randn([1, 3, 37, 29]);
    const expected = tidy(() => (seed.forward(input) as Tensor).data());
    const bnTrain = mk(new nn.BatchNorm2d(16, 1e-5, null));
    const lin = mk(new nn.Linear(100, 50));
    const dw = mk(new nn.Conv2d(8, 16, 3, { groups: 8, padding: 2, padding_mode: "reflect" }));
    const small = { w: randn([16, 8, 3, 3]), b: randn([16]), x: randn([1, 8, 12, 12]) };
    const mixed = (i: number): void => {
      switch (i % 8) {
        case 0: F.conv2d(small.x, small.w, small.b, 1, 1); break;   // packs per call
        case 1: bnTrain.forward(randn([4, 16, 6, 6])); break;
        case 2: F.max_pool2d(randn([2, 8, 15, 13]), 3, 2, 1, 1, true, true); break;
        case 3: F.adaptive_avg_pool2d(small.x, [5, 3]); F.adaptive_max_pool2d(small.x, 4, true); break;
        case 4: F.relu6(lin.forward(randn([5, 100])), true); break;
        case 5: tidy(() => { const a = randn([3, 40]); const b = a.reshape([120]).flatten(); return tidy(() => b.add(b).add_(b)); }); break;
        case 6: for (const t of Object.values(safetensors.load(safetensors.save(seed.state_dict())))) t.dispose(); break;
        case 7: F.relu(dw.forward(small.x), true); F.avg_pool2d(small.x, 3, 2, 1, true, false, 5); break;
      }
    };
    const step = (i: number): void => {
      tidy(() => {
        const y = seed.forward(input) as Tensor;
        mixed(i);
        if (i % 1000 === 0) expect(firstDifference(y.data(), expected)).toBe(-1);
      });
    };
    for (let i = 0; i < 400; i++) step(i);
    const steady = memory();
    const started = performance.now();
    const samples: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      step(i);
      if ((i + 1) % 2500 === 0) {
        const m = memory();
        samples.push(`${i + 1}: wasm ${m.wasmBytes} live ${m.liveBytes} tensors ${m.liveTensors}`);
        expect(m, `after ${i + 1} iterations`).toEqual(steady);
      }
    }
    const after = memory();
    console.log(`mixed soak: 10,000 seed-block forwards + 10,000 mixed ops in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `wasm ${steady.wasmBytes} -> ${after.wasmBytes} bytes, live ${steady.liveBytes} -> ${after.liveBytes} bytes, tensors ${steady.liveTensors} -> ${after.liveTensors} (${samples.join("; ")})`);
    expect(after).toEqual(steady);
    expect(Number(bnTrain.num_batches_tracked!.item())).toBe(1300);
    for (const t of [input, small.w, small.b, small.x]) t.dispose();
    expectHealthy("after the soak");
  });

  test("fragmentation under random-sized churn (reported; bounded)", () => {
    // sizes log-uniform from 4 bytes to 4 MiB; allocations and frees of a random live tensor, ~150 live
    let s = 0x9e3779b9;
    const next = (): number => {
      s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return s / 4294967296;
    };
    const start = memory();
    const live: Tensor[] = [];
    let peak = 0;
    for (let i = 0; i < 4000; i++) {
      if (live.length === 0 || next() < (live.length < 150 ? 0.6 : 0.4)) {
        live.push(zeros([Math.ceil(Math.exp(next() * Math.log(1 << 20)))]));
      } else {
        live.splice(Math.floor(next() * live.length), 1)[0].dispose();
      }
      peak = Math.max(peak, memory().liveBytes - start.liveBytes);
    }
    const end = memory();
    const growth = end.wasmBytes - start.wasmBytes;
    const heldAtEnd = end.liveBytes - start.liveBytes;
    for (const t of live) t.dispose();
    const freed = memory();
    // after freeing everything, one block as large as the peak should fit in the coalesced space
    const whole = zeros([Math.floor(peak / 4)]);
    const regrowth = memory().wasmBytes - freed.wasmBytes;
    whole.dispose();
    const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
    console.log(`fragmentation: 4000 random allocs/frees, peak live ${mib(peak)}, linear memory grew ${mib(growth)} ` +
      `(${(growth / peak).toFixed(2)}x the peak; ${(100 * (1 - peak / Math.max(growth, 1))).toFixed(1)}% of the growth never held live data at once), ` +
      `${mib(heldAtEnd)} live at the end; after freeing all, a ${mib(peak)} block needed ${mib(regrowth)} more`);
    expect(freed.liveBytes).toBe(start.liveBytes);
    expect(freed.liveTensors).toBe(start.liveTensors);
    // exact-growth first fit: measured 0.96-1.06x the peak (AssemblyScript's TLSF: 1.24x)
    expect(growth).toBeLessThanOrEqual(1.15 * peak);
    expect(regrowth).toBe(0);
    expectHealthy("after churn");
  });
});
