// Splitting a kernel call across threads (issue #15).
//
// A call covers `units` independent outputs (images, output-channel blocks, rows, tile blocks — never
// part of a reduction); each unit's arithmetic is the same whichever call computes it, so the
// output bits do not depend on how the units are grouped into tasks, nor on the thread count. A
// kernel taking a unit range computes only those units; elementwise work is split by pointers.
//
// `parallel(name, units, threads, argsOf)` runs argsOf(start, end)'s call once per task. With one
// thread (or a call too small to pay for waking the pool: threadsFor) it is one call on [0, units).

import { wasm, type KernelName } from "../runtime.js";
import type { Pool } from "./pool.js";

/** Arguments one job holds (f64 each, after the per-thread workspace stride): tasks x arguments. */
export const MAX_TASK_ARGS = 8192;

/** Most threads a pool may have. */
export const MAX_THREADS = 128;

let pool: Pool | null = null;
/** A kernel's index in the names the pool's workers were given. */
let indexOf = new Map<string, number>();
let inUse = 1;

export function setPool(next: Pool | null, kernelNames: readonly string[]): void {
  pool = next;
  if (indexOf.size !== kernelNames.length) indexOf = new Map(kernelNames.map((name, i) => [name, i]));
  inUse = next === null ? 1 : next.size;
}

export function currentPool(): Pool | null {
  return pool;
}

/** Threads a call uses now (set_num_threads), 1 without a pool. */
export function threadsInUse(): number {
  return inUse;
}

export function setThreadsInUse(n: number): void {
  inUse = n;
}

/**
 * A call's work (multiply-adds or element operations) below which waking the pool costs more than
 * it saves: a job costs ~3 us with the workers spinning, and a split call's data ends up in two
 * cores' caches, which the next call pays for unless it splits the same way (the tile tasks and
 * depthwise bands all split an image by rows, so neighbouring layers mostly do). 256K ops is ~10 us
 * of GEMM work. It was 1M while the depthwise kernel split by channels; at 256K, interleaved at 2
 * threads: ResNet-18 30.65/31.55 -> 30.14/31.07 ms, at 32x32 6.34/6.28 -> 6.25/5.92 ms, MobileNetV2
 * 13.47/12.91 -> 13.36/12.88 ms.
 */
const MIN_PARALLEL_WORK = 1 << 18;
let minParallelWork = MIN_PARALLEL_WORK;

/**
 * Work below which a call does not wake a sleeping worker (one that has had no job for 0.25 ms): it
 * runs on one thread instead. Waking one costs thread 0 the notify (measured here: 30-180 us a call,
 * on this VM's vCPUs) and the worker starts slowly; a lone 60-us depthwise layer split at 64K ran
 * 0.2-0.9x in bench runs. Within a forward the workers are awake and small calls split.
 */
const MIN_WAKE_WORK = 1 << 20;
let minWakeWork = MIN_WAKE_WORK;

/** Tests: split calls of any size (0), to reach every task boundary with small shapes; or restore the defaults. */
export function setMinParallelWork(work: number | null): void {
  minParallelWork = work ?? MIN_PARALLEL_WORK;
  minWakeWork = work ?? MIN_WAKE_WORK;
}

/** Threads a call of `work` over `units` should use: 1 when small, never more units than threads. */
export function threadsFor(work: number, units: number): number {
  const threads = threadsInUse();
  if (threads <= 1 || units <= 1 || work < minParallelWork) return 1;
  if (work < minWakeWork && pool !== null && pool.asleep(threads)) return 1;
  return Math.min(threads, units);
}

/**
 * A per-thread workspace's bytes a thread (ParallelOptions.perThread), rounded to cache lines and,
 * with more than one thread, followed by a 64 KiB gap: two threads writing scratch that lies side by
 * side run slower than apart, although no cache line is shared (why, this VM cannot show: no
 * hardware counters). bench/threads-scratch.ts, the tile tasks of conv 3x3 64 ch @56 (146 KiB of
 * scratch a thread), half on each of 2 threads: 1.052 ms adjacent, 1.027 / 1.013 / 0.994 ms 4 / 16
 * / 64 KiB apart, 0.990-0.997 ms up to 4 MiB; one half alone 0.951 ms. Whole layers, 1 thread / 2
 * threads adjacent -> apart (interleaved): 64 ch @56 1.876 / 1.116 -> 1.056 ms, 128 @28 1.849 /
 * 1.141 -> 1.130, 256 @14 1.915 / 1.107 -> 1.055, 512 @7 3.324 / 1.778 -> 1.742. Every
 * per-thread workspace takes its size from here, so no split forgets the gap; where the scratch is
 * a few KB (matmul's, linear's, resize's, normalize's rows) it measured neither faster nor slower.
 * Costs 64 KiB a thread in each such workspace (one thread, e.g. Workers: none).
 */
export function threadBytes(bytes: number, threads: number): number {
  return Math.ceil(bytes / 64) * 64 + (threads > 1 ? 65536 : 0);
}

export interface ParallelOptions {
  /** Range bounds are multiples of this many units (e.g. 4 floats: vector tails stay at the end). */
  align?: number;
  /** argsOf's argument `arg` is a block of threads x `bytes`: the thread running a task uses its own part. */
  perThread?: { arg: number; bytes: number };
  /** Equal tasks per thread (dynamic balance vs per-task overhead); default: 3 tapered ones (SHARE_CUTS). */
  tasksPerThread?: number;
}

const flat: number[] = [];

/**
 * Runs kernel `name` over units [0, units) split into tasks, with `threads` threads (threadsFor):
 * argsOf(start, end) gives one task's arguments.
 */
export function parallel(name: KernelName, units: number, threads: number, argsOf: (start: number, end: number) => number[],
  options: ParallelOptions = {}): void {
  const kernel = wasm()[name] as (...args: number[]) => number;
  if (units <= 0) return;
  if (threads <= 1 || pool === null) {
    kernel(...argsOf(0, units));
    return;
  }
  const align = options.align ?? 1;
  const blocks = Math.ceil(units / align);
  // tasks of decreasing size (see SHARE_CUTS) where every share has enough blocks, else equal ones
  const tapered = options.tasksPerThread === undefined && blocks >= threads * MIN_TAPERED_BLOCKS;
  let tasks = tapered ? threads * SHARE_CUTS.length : Math.min(blocks, threads * (options.tasksPerThread ?? 3));
  let nargs = fill(argsOf, units, blocks, align, tasks, tapered ? threads : 0);
  if (tasks * nargs > MAX_TASK_ARGS) {
    // a job holds MAX_TASK_ARGS arguments: many threads x a long argument list get fewer tasks each
    tasks = Math.max(threads, Math.floor(MAX_TASK_ARGS / nargs));
    nargs = fill(argsOf, units, blocks, align, tasks, 0);
  }
  pool.run(indexOf.get(name)!, kernel, tasks, nargs, flat, threads, options.perThread?.arg ?? -1, options.perThread?.bytes ?? 0);
}

/**
 * A kernel over `count` contiguous floats, split in 1024-float-aligned ranges (so a vector tail stays
 * where one whole call puts it): argsOf(byte offset, floats) gives a range's arguments; `perFloat`
 * is the work per float, for threadsFor.
 */
export function parallelFloats(name: KernelName, count: number, perFloat: number, argsOf: (offset: number, length: number) => number[]): void {
  parallel(name, count, threadsFor(count * perFloat, Math.ceil(count / 1024)), (start, end) => argsOf(start * 4, end - start), { align: 1024 });
}

/**
 * Where a thread's share of a job ends its tasks, as fractions of the share: 60 %, 25 %, then 15 %.
 * A thread that runs out of work takes the others' last tasks, but must wait for the task another
 * thread is still running; the smaller that one, the shorter the wait (one vCPU here is often
 * 1.3-1.7x slower than the other). Interleaved at 2 threads, equal thirds -> these: ResNet-18
 * 40.27 -> 37.16 and 43.23 -> 40.06 ms, MobileNetV2 16.64 -> 15.35 and 17.18 -> 15.80 ms, conv 3x3
 * 64 ch @56 2.07 -> 1.95 ms (a slow vCPU); halves (4 tasks a share) did as well, 60/25/15 has fewer.
 */
export const SHARE_CUTS = [0.6, 0.85, 1];
/** Blocks a share needs for tapered tasks (none empty). */
export const MIN_TAPERED_BLOCKS = 8;

/** Task t's first block: `tasks` equal tasks, or (`tapered` threads) each thread's share cut at SHARE_CUTS. */
export function taskStart(t: number, blocks: number, tasks: number, tapered: number): number {
  if (tapered === 0) return Math.floor(blocks * t / tasks);
  const owner = Math.floor(t / SHARE_CUTS.length);
  const k = t - owner * SHARE_CUTS.length;
  const start = Math.floor(blocks * owner / tapered);
  return k === 0 ? start : start + Math.floor((Math.floor(blocks * (owner + 1) / tapered) - start) * SHARE_CUTS[k - 1]);
}

/** `flat` = the `tasks` tasks' arguments, one after another; returns the arguments a task has. */
function fill(argsOf: (start: number, end: number) => number[], units: number, blocks: number, align: number, tasks: number,
  tapered: number): number {
  flat.length = 0;
  let nargs = 0;
  for (let t = 0, start = 0; t < tasks; t++) {
    const end = taskStart(t + 1, blocks, tasks, tapered);   // taskStart(tasks) is blocks
    const args = argsOf(start * align, Math.min(units, end * align));
    start = end;
    nargs = args.length;
    for (let i = 0; i < nargs; i++) flat.push(args[i]);
  }
  return nargs;
}
