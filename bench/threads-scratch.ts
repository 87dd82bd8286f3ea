// `node --no-liftoff --import tsx bench/threads-scratch.ts [channels] [size]`: what two threads' tasks
// cost when their data lies near or far apart. The tile tasks of one F(4,3) convolution (conv 3x3
// C -> C @size, tile mode: f32_winograd_tiles), half of the tile blocks on each of 2 threads, with
// thread 1's own scratch (its V, M and rows: f32_winograd_plan part 3) placed `gap` bytes after
// thread 0's, and, as a reference, thread 1 on a second convolution's data (every buffer its own).
// "one half alone": thread 0 running one half by itself. Interleaved, medians; the machine's
// ceiling (bench/cores.ts) bounds what two threads can do.
import "./v8-flags.js";
import { init, randn, zeros, manual_seed, type Tensor } from "../src/index.js";
import { wasm } from "../src/runtime.js";
import { parallel } from "../src/threads/parallel.js";

const channels = Number(process.argv[2] ?? 64);
const size = Number(process.argv[3] ?? 56);
const GAPS = [0, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];
await init({ threads: 2 });
manual_seed(0);
const k = wasm();
const m = 4;
const plan = (part: number): number => k.f32_winograd_plan(m, channels, channels, size, size, part);
const [blocks, stageH, stageW, local] = [plan(0), plan(6), plan(7), plan(3)];
const half = blocks >> 1;
const held: Tensor[] = [];
const bytes = (n: number): number => {
  const t = zeros([Math.ceil(n / 4) + 16]);
  held.push(t);
  return Math.ceil(t.ptr / 64) * 64;
};

/** One convolution's buffers: staged input, packed U, bias, output, and room for both threads' scratch with the largest gap. */
function operands(): { staged: number; packed: number; bias: number; output: number; scratch: number } {
  const x = randn([1, channels, size, size]);
  const w = randn([channels, channels, 3, 3]);
  const b = randn([channels]);
  held.push(x, w, b);
  const packed = bytes(k.f32_winograd_f4x3_packed_size(channels, channels) * 4);
  k.f32_winograd_f4x3_pack(w.ptr, channels, channels, packed);
  const staged = bytes(plan(2));
  k.f32_embed_rows(x.ptr, channels, size, size, staged, stageH, stageW, 1, 1, 1, 1, 0, 0, stageH);
  return { staged, packed, bias: b.ptr, output: bytes(channels * size * size * 4), scratch: bytes(2 * local + GAPS[GAPS.length - 1]) };
}
const a = operands();
const b = operands();
type Operands = typeof a;
const args = (o: Operands, b0: number, b1: number): number[] =>
  [m, channels, o.packed, o.bias, channels, o.output, size, size, o.staged, o.scratch, -Infinity, Infinity, 0, b0, b1];
/** Thread 0: a's first half; thread 1: the second half on `other`. */
const halves = (other: Operands) => (): void =>
  parallel("f32_winograd_tiles", 2, 2, (u) => (u === 0 ? args(a, 0, half) : args(other, half, blocks)));

const variants: [string, () => void][] = [["one half alone", () => parallel("f32_winograd_tiles", 1, 1, () => args(a, 0, half))]];
for (const gap of GAPS) variants.push([`2 threads, scratch ${gap / 1024} KiB apart`, halves({ ...a, scratch: a.scratch + local + gap })]);
variants.push(["2 threads, thread 1 on its own buffers", halves(b)]);

const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (let round = 0; round < 200; round++) {
  for (const [name, run] of variants) {
    run();
    const t0 = performance.now();
    run();
    times.get(name)!.push(performance.now() - t0);
  }
}
const median = (xs: number[]): number => xs.slice(10).sort((p, q) => p - q)[(xs.length - 10) >> 1];
console.log(`tile tasks of conv 3x3 ${channels} ch @${size} (F(4,3), ${blocks} tile blocks; scratch ${(local / 1024).toFixed(0)} KiB a thread), medians of 190:`);
for (const [name, xs] of times) console.log(`${name.padEnd(42)} ${median(xs).toFixed(3)} ms`);
process.exit(0);
