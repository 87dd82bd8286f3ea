// A plain scalar TypeScript reference for the conv stack, written from PyTorch's documented
// semantics (and its CPU kernels' loop structure for the selection rules of max pooling), never
// calling the Wasm kernels or wasmnn's own helpers. It computes in float64 and returns, beside
// every value, the error a float32 implementation may make there (see `err`), so the fuzz tests
// can compare with a per-element tolerance that follows each value through a whole pipeline.

/** A dense row-major array with a shape; data may be float32 (what wasmnn holds) or float64. */
export interface Arr {
  shape: number[];
  data: ArrayLike<number>;
}

/**
 * A reference result: `data` is the exact-as-float64 value, `err` the absolute error a float32
 * implementation may make at each element (0 for selections, which must match exactly).
 */
export interface Ref {
  shape: number[];
  data: Float64Array;
  err: Float64Array;
}

/** float32's unit roundoff (half an ulp of 1). */
export const U32 = 2 ** -24;

/**
 * The tolerance rule, per element, for a float32 reduction of K terms (a dot product, a window sum)
 * whose exact value is r = sum_j t_j:
 *
 *     |computed - r| <= ATOL + RTOL_FACTOR * (K + 2) * U32 * sum_j |t_j|
 *
 * The classical bound for float32 summation of K products in ANY order (sequential, pairwise,
 * SIMD lanes, tiles, bias first or last) is gamma_K * sum|t_j| with gamma_K = K*u/(1 - K*u); the
 * "+2" covers the products' own rounding and a final division or scale. RTOL_FACTOR = 4 leaves
 * room for transform-based kernels (Winograd) without letting a wrong tap through: a missing or
 * misplaced term is off by |t_j| ~ 1/K of sum|t_j|, thousands of times more than the allowance
 * (4 * (K + 2) * 6e-8 ~ 2e-5 of the magnitude for K = 75). ATOL only absorbs subnormal effects.
 * So this is an rtol scaled by the reduction length, on the magnitude sum|t_j| (which equals |r|
 * when no cancellation happens), plus an atol.
 */
export const ATOL = 1e-7;
export const RTOL_FACTOR = 4;
export function reductionTolerance(terms: number, magnitude: number): number {
  return ATOL + RTOL_FACTOR * (terms + 2) * U32 * magnitude;
}

export const numel = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const pair = (v: number | readonly number[]): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

function result(shape: number[]): Ref {
  const n = numel(shape);
  return { shape, data: new Float64Array(n), err: new Float64Array(n) };
}

/** Treats a 3-D [C, H, W] input as [1, C, H, W]; returns the 4-D shape and whether it was unbatched. */
function as4d(input: Arr): { n: number; c: number; h: number; w: number; unbatched: boolean } {
  const s = input.shape;
  if (s.length === 3) return { n: 1, c: s[0], h: s[1], w: s[2], unbatched: true };
  if (s.length === 4) return { n: s[0], c: s[1], h: s[2], w: s[3], unbatched: false };
  throw new Error(`reference: expected a 3-D or 4-D input, got [${s.join(", ")}]`);
}

// ---------------------------------------------------------------------------------------------
// Padding (torch.nn.functional.pad's non-constant modes, as index maps)

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Index `i` of a padded axis of length `n` mapped into [0, n), or -1 for a zero (constant) pad. */
export function padIndex(i: number, n: number, mode: PaddingMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "zeros": return -1;
    // reflect: mirror about the edge element, which is not repeated (d c b | a b c d | c b a)
    case "reflect": return i < 0 ? -i : 2 * (n - 1) - i;
    // replicate: the edge element repeats
    case "replicate": return i < 0 ? 0 : n - 1;
    // circular: wrap around (torch pads by copying the opposite edge)
    case "circular": return ((i % n) + n) % n;
  }
}

// ---------------------------------------------------------------------------------------------
// Convolution

export interface ConvOptions {
  stride?: number | [number, number];
  /** int, [h, w], 'same' or 'valid' (torch.nn.Conv2d's) */
  padding?: number | [number, number] | "same" | "valid";
  dilation?: number | [number, number];
  groups?: number;
  padding_mode?: PaddingMode;
}

/** [top, bottom, left, right] as nn.Conv2d: 'same' puts total//2 before and the rest after. */
export function convPadding(padding: ConvOptions["padding"], kernel: [number, number], dilation: [number, number]): [number, number, number, number] {
  if (padding === undefined || padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const th = dilation[0] * (kernel[0] - 1);
    const tw = dilation[1] * (kernel[1] - 1);
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  const [ph, pw] = pair(padding);
  return [ph, ph, pw, pw];
}

/**
 * torch.nn.Conv2d's forward: out[n, oc, oy, ox] = bias[oc] + sum over c in oc's group, kh, kw of
 * in[n, c, oy*sH + kh*dH - padTop, ox*sW + kw*dW - padLeft] * w[oc, c - g*Cg, kh, kw], where the
 * input index is mapped by the padding mode (a zero for 'zeros' outside the input).
 * H_out = floor((H + padTop + padBottom - dH*(KH-1) - 1) / sH) + 1.
 */
export function conv2dRef(input: Arr, weight: Arr, bias: Arr | null, opts: ConvOptions = {}): Ref {
  const { n: N, c: C, h: H, w: W, unbatched } = as4d(input);
  const [OC, Cg, KH, KW] = weight.shape;
  const groups = opts.groups ?? 1;
  const [sH, sW] = pair(opts.stride ?? 1);
  const [dH, dW] = pair(opts.dilation ?? 1);
  const mode = opts.padding_mode ?? "zeros";
  const [pt, pb, pl, pr] = convPadding(opts.padding, [KH, KW], [dH, dW]);
  if (C !== Cg * groups) throw new Error(`reference: ${C} input channels, weight expects ${Cg} x ${groups} groups`);
  const OH = Math.floor((H + pt + pb - dH * (KH - 1) - 1) / sH) + 1;
  const OW = Math.floor((W + pl + pr - dW * (KW - 1) - 1) / sW) + 1;
  const out = result(unbatched ? [OC, OH, OW] : [N, OC, OH, OW]);
  const OCg = OC / groups;
  const x = input.data;
  const w = weight.data;
  const K = Cg * KH * KW + (bias ? 1 : 0);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < OC; oc++) {
      const g = Math.floor(oc / OCg);
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let sum = 0;
          let mag = 0;
          for (let c = 0; c < Cg; c++) {
            const ic = g * Cg + c;
            for (let kh = 0; kh < KH; kh++) {
              const iy = padIndex(oy * sH + kh * dH - pt, H, mode);
              for (let kw = 0; kw < KW; kw++) {
                const ix = padIndex(ox * sW + kw * dW - pl, W, mode);
                // a zero pad contributes 0 * w = 0 (PyTorch pads with zeros, then multiplies)
                const xv = iy < 0 || ix < 0 ? 0 : x[((n * C + ic) * H + iy) * W + ix];
                const t = xv * w[((oc * Cg + c) * KH + kh) * KW + kw];
                sum += t;
                mag += Math.abs(t);
              }
            }
          }
          if (bias) {
            sum += bias.data[oc];
            mag += Math.abs(bias.data[oc]);
          }
          out.data[o] = sum;
          out.err[o] = reductionTolerance(K, mag);
          o++;
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pooling

/**
 * PyTorch's pooling_output_shape: floor((H + 2p - d(k-1) - 1 [+ s-1 if ceil]) / s) + 1, and in
 * ceil mode the last window must start inside the input or the left padding.
 */
export function poolOutSize(size: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

export interface MaxPoolOptions {
  stride?: number | [number, number] | null;
  padding?: number | [number, number];
  dilation?: number | [number, number];
  ceil_mode?: boolean;
}

/**
 * max_pool2d with indices, as PyTorch's CPU kernel: the window's taps inside the input (padding
 * is -inf, i.e. skipped) are scanned row by row; a tap replaces the maximum if it is greater or
 * NaN, so the first of equal values wins and the last NaN wins. The index is the flat offset
 * iy*W + ix in the plane; a window without taps gives -inf and the index of its clipped start.
 */

/**
 * PyTorch's max over a window (aten max_pool2d / adaptive_max_pool2d CPU kernels): row-major scan,
 * replace on `v > best || isnan(v)`, so the first maximum and the last NaN win; the index of an
 * all -inf window is its first element. Returns [value, flat index in the plane].
 */
function windowMax(x: ArrayLike<number>, base: number, W: number, y0: number, y1: number, dy: number,
  x0: number, x1: number, dx: number): [number, number] {
  let best = -Infinity;
  let bestIndex = y0 * W + x0;
  for (let y = y0; y < y1; y += dy) {
    for (let xx = x0; xx < x1; xx += dx) {
      const v = x[base + y * W + xx];
      if (v > best || Number.isNaN(v)) {
        best = v;
        bestIndex = y * W + xx;
      }
    }
  }
  return [best, bestIndex];
}

export function maxPool2dRef(input: Arr, kernel: number | [number, number], opts: MaxPoolOptions = {}): { out: Ref; indices: number[] } {
  const { n: N, c: C, h: H, w: W, unbatched } = as4d(input);
  const [kH, kW] = pair(kernel);
  const [sH, sW] = pair(opts.stride ?? kernel);
  const [pH, pW] = pair(opts.padding ?? 0);
  const [dH, dW] = pair(opts.dilation ?? 1);
  const ceil = opts.ceil_mode ?? false;
  const OH = poolOutSize(H, kH, pH, sH, dH, ceil);
  const OW = poolOutSize(W, kW, pW, sW, dW, ceil);
  const out = result(unbatched ? [C, OH, OW] : [N, C, OH, OW]);
  const indices: number[] = [];
  const x = input.data;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < OH; oy++) {
      let y0 = oy * sH - pH;
      const y1 = Math.min(y0 + (kH - 1) * dH + 1, H);
      while (y0 < 0) y0 += dH;
      for (let ox = 0; ox < OW; ox++) {
        let x0 = ox * sW - pW;
        const x1 = Math.min(x0 + (kW - 1) * dW + 1, W);
        while (x0 < 0) x0 += dW;
        const [best, bestIndex] = windowMax(x, base, W, y0, y1, dH, x0, x1, dW);
        out.data[o] = best;
        indices.push(bestIndex);
        o++;
      }
    }
  }
  return { out, indices };
}

export interface AvgPoolOptions {
  stride?: number | [number, number] | null;
  padding?: number | [number, number];
  ceil_mode?: boolean;
  count_include_pad?: boolean;
  divisor_override?: number | null;
}

/**
 * avg_pool2d as PyTorch: the window [y0, y0+k) is first clipped to the padded input (its size then
 * is the count_include_pad divisor), then to the input (the sum, and the divisor otherwise);
 * divisor_override replaces both. A window with no input taps gives 0.
 */
export function avgPool2dRef(input: Arr, kernel: number | [number, number], opts: AvgPoolOptions = {}): Ref {
  const { n: N, c: C, h: H, w: W, unbatched } = as4d(input);
  const [kH, kW] = pair(kernel);
  const [sH, sW] = pair(opts.stride ?? kernel);
  const [pH, pW] = pair(opts.padding ?? 0);
  const ceil = opts.ceil_mode ?? false;
  const includePad = opts.count_include_pad ?? true;
  const override = opts.divisor_override ?? null;
  const OH = poolOutSize(H, kH, pH, sH, 1, ceil);
  const OW = poolOutSize(W, kW, pW, sW, 1, ceil);
  const out = result(unbatched ? [C, OH, OW] : [N, C, OH, OW]);
  const x = input.data;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let y0 = oy * sH - pH;
        let x0 = ox * sW - pW;
        let y1 = Math.min(y0 + kH, H + pH);
        let x1 = Math.min(x0 + kW, W + pW);
        const poolSize = (y1 - y0) * (x1 - x0);
        y0 = Math.max(y0, 0);
        x0 = Math.max(x0, 0);
        y1 = Math.min(y1, H);
        x1 = Math.min(x1, W);
        if (y0 >= y1 || x0 >= x1) {
          out.data[o] = 0;
          out.err[o] = 0;
          o++;
          continue;
        }
        const [sum, mag] = windowSum(x, base, W, y0, y1, x0, x1);
        const divisor = override !== null ? override : includePad ? poolSize : (y1 - y0) * (x1 - x0);
        out.data[o] = sum / divisor;
        out.err[o] = reductionTolerance((y1 - y0) * (x1 - x0), mag / Math.abs(divisor));
        o++;
      }
    }
  }
  return out;
}

/** The sum, and the sum of magnitudes, of rows [y0, y1) and columns [x0, x1) of the plane at base. */
function windowSum(x: ArrayLike<number>, base: number, W: number, y0: number, y1: number, x0: number, x1: number): [number, number] {
  let sum = 0;
  let mag = 0;
  for (let y = y0; y < y1; y++) {
    for (let xx = x0; xx < x1; xx++) {
      sum += x[base + y * W + xx];
      mag += Math.abs(x[base + y * W + xx]);
    }
  }
  return [sum, mag];
}

/** Adaptive windows [floor(i*in/out), ceil((i+1)*in/out)), as PyTorch's start_index/end_index. */
export function adaptiveWindow(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
}

/** output_size: an int, or [h, w] whose entries may be null (= that input size). */
function adaptiveSizes(outputSize: number | (number | null)[], H: number, W: number): [number, number] {
  const [oh, ow] = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  return [oh ?? H, ow ?? W];
}

/** Calls fn for each adaptive window, plane by plane in output order, with the plane's offset in x. */
function forEachAdaptiveWindow(planes: number, H: number, W: number, OH: number, OW: number,
  fn: (base: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  for (let plane = 0; plane < planes; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      const [y0, y1] = adaptiveWindow(oy, H, OH);
      for (let ox = 0; ox < OW; ox++) {
        const [x0, x1] = adaptiveWindow(ox, W, OW);
        fn(plane * H * W, y0, y1, x0, x1);
      }
    }
  }
}

export function adaptiveAvgPool2dRef(input: Arr, outputSize: number | (number | null)[]): Ref {
  const { n: N, c: C, h: H, w: W, unbatched } = as4d(input);
  const [OH, OW] = adaptiveSizes(outputSize, H, W);
  const out = result(unbatched ? [C, OH, OW] : [N, C, OH, OW]);
  const x = input.data;
  let o = 0;
  forEachAdaptiveWindow(N * C, H, W, OH, OW, (base, y0, y1, x0, x1) => {
    const [sum, mag] = windowSum(x, base, W, y0, y1, x0, x1);
    const count = (y1 - y0) * (x1 - x0);
    out.data[o] = sum / count;
    out.err[o] = reductionTolerance(count, mag / count);
    o++;
  });
  return out;
}

/** adaptive_max_pool2d: the same scan and NaN rule as max_pool2d, over adaptive windows. */
export function adaptiveMaxPool2dRef(input: Arr, outputSize: number | (number | null)[]): { out: Ref; indices: number[] } {
  const { n: N, c: C, h: H, w: W, unbatched } = as4d(input);
  const [OH, OW] = adaptiveSizes(outputSize, H, W);
  const out = result(unbatched ? [C, OH, OW] : [N, C, OH, OW]);
  const indices: number[] = [];
  let o = 0;
  forEachAdaptiveWindow(N * C, H, W, OH, OW, (base, y0, y1, x0, x1) => {
    const [best, bestIndex] = windowMax(input.data, base, W, y0, y1, 1, x0, x1, 1);
    out.data[o++] = best;
    indices.push(bestIndex);
  });
  return { out, indices };
}

// ---------------------------------------------------------------------------------------------
// Pointwise layers: they carry the input's allowed error through (`errIn`), so chains compose.

function errOf(input: Arr | Ref, i: number): number {
  return "err" in input ? (input as Ref).err[i] : 0;
}

/** relu (inplace or not): max(x, 0), NaN stays NaN; 1-Lipschitz, so the error carries through. */
export function reluRef(input: Arr | Ref): Ref {
  return clampRef(input, 0, Infinity);
}

/** relu6 = hardtanh(x, 0, 6). */
export function relu6Ref(input: Arr | Ref): Ref {
  return clampRef(input, 0, 6);
}

function clampRef(input: Arr | Ref, lo: number, hi: number): Ref {
  const out = result([...input.shape]);
  for (let i = 0; i < out.data.length; i++) {
    const v = input.data[i];
    out.data[i] = Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi);
    out.err[i] = errOf(input, i);
  }
  return out;
}

export interface BatchNormState {
  running_mean: Float64Array | null;
  running_var: Float64Array | null;
  weight: ArrayLike<number> | null;
  bias: ArrayLike<number> | null;
  num_batches_tracked: number;
}

export interface BatchNormOptions {
  eps: number;
  /** null: cumulative moving average (factor 1 / num_batches_tracked) */
  momentum: number | null;
  training: boolean;
  track_running_stats: boolean;
}

/**
 * nn.BatchNorm2d's forward. Training (or no running stats): each channel is normalised by the
 * batch's mean and biased variance over N*H*W; if tracked, the running stats become
 * (1 - f) * running + f * batch (the variance unbiased, * n/(n-1)) with f = momentum, or
 * 1/num_batches_tracked when momentum is null, num_batches_tracked having been incremented first;
 * they are stored in float32, as PyTorch's buffers. Eval with running stats:
 * y = (x - running_mean) / sqrt(running_var + eps) * weight + bias. `state` is updated in place.
 *
 * Error: y is computed by float32 implementations as x * scale + shift (or the textbook order):
 * ~4 roundings of terms as large as (|x| + |mean|) * |scale| and |bias|; an input error e becomes
 * e * |scale|. Batch statistics come from a reduction of n terms (mean error ~ n*u*max|x|, times
 * |scale| in the output).
 */
export function batchNormRef(input: Arr | Ref, state: BatchNormState, opts: BatchNormOptions): Ref {
  const [N, C] = input.shape;
  const spatial = numel(input.shape.slice(2));
  const n = N * spatial;
  const out = result([...input.shape]);
  const useBatch = opts.training || state.running_mean === null;
  let mean: Float64Array;
  let variance: Float64Array;
  const meanErr = new Float64Array(C);
  if (useBatch) {
    mean = new Float64Array(C);
    variance = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      let maxAbs = 0;
      for (let b = 0; b < N; b++) {
        for (let i = 0; i < spatial; i++) {
          const v = input.data[(b * C + c) * spatial + i];
          sum += v;
          maxAbs = Math.max(maxAbs, Math.abs(v));
        }
      }
      mean[c] = sum / n;
      let sq = 0;
      for (let b = 0; b < N; b++) {
        for (let i = 0; i < spatial; i++) {
          const d = input.data[(b * C + c) * spatial + i] - mean[c];
          sq += d * d;
        }
      }
      variance[c] = sq / n;
      // an implementation may accumulate the statistics in float32
      meanErr[c] = (n + 2) * U32 * maxAbs;
    }
    if (opts.training && opts.track_running_stats && state.running_mean && state.running_var) {
      state.num_batches_tracked++;
      const f = opts.momentum === null ? 1 / state.num_batches_tracked : opts.momentum;
      for (let c = 0; c < C; c++) {
        state.running_mean[c] = Math.fround((1 - f) * state.running_mean[c] + f * mean[c]);
        state.running_var[c] = Math.fround((1 - f) * state.running_var[c] + f * variance[c] * n / (n - 1));
      }
    }
  } else {
    mean = state.running_mean!;
    variance = state.running_var!;
  }
  const channelErr = new Float64Array(C);
  for (let k = 0; k < out.data.length; k++) {
    const c = Math.floor(k / spatial) % C;
    channelErr[c] = Math.max(channelErr[c], errOf(input, k));
  }
  for (let c = 0; c < C; c++) {
    const invstd = 1 / Math.sqrt(variance[c] + opts.eps);
    const w = state.weight ? state.weight[c] : 1;
    const b = state.bias ? state.bias[c] : 0;
    const scale = invstd * w;
    for (let bi = 0; bi < N; bi++) {
      for (let i = 0; i < spatial; i++) {
        const k = (bi * C + c) * spatial + i;
        const x = input.data[k];
        out.data[k] = (x - mean[c]) * scale + b;
        const mag = (Math.abs(x) + Math.abs(mean[c])) * Math.abs(scale) + Math.abs(b);
        // a variance from float32 statistics is off by ~n*u*var: y moves by |y - b| * that / 2
        const varErr = useBatch ? (n + 2) * U32 * Math.abs(out.data[k] - b) : 0;
        // input errors also move batch statistics: the mean by up to the channel's largest input
        // error, and the normalised value by as much again through the variance
        const statErr = useBatch ? channelErr[c] * Math.abs(scale) * (1 + Math.abs(x - mean[c]) * invstd) : 0;
        out.err[k] = reductionTolerance(4, mag) + errOf(input, k) * Math.abs(scale) * (1 + 1e-3) +
          meanErr[c] * Math.abs(scale) + varErr + 2 * statErr;
      }
    }
  }
  return out;
}

/** F.linear: y[.., o] = bias[o] + sum_i x[.., i] * w[o, i]. */
export function linearRef(input: Arr, weight: Arr, bias: Arr | null): Ref {
  const [OUT, IN] = weight.shape;
  const rows = IN === 0 ? numel(input.shape.slice(0, -1)) : input.data.length / IN;
  const out = result([...input.shape.slice(0, -1), OUT]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < OUT; o++) {
      let sum = 0;
      let mag = 0;
      for (let i = 0; i < IN; i++) {
        const t = input.data[r * IN + i] * weight.data[o * IN + i];
        sum += t;
        mag += Math.abs(t);
      }
      if (bias) {
        sum += bias.data[o];
        mag += Math.abs(bias.data[o]);
      }
      out.data[r * OUT + o] = sum;
      out.err[r * OUT + o] = reductionTolerance(IN + (bias ? 1 : 0), mag);
    }
  }
  return out;
}

/**
 * Pools over an input that carries errors: max pooling is 1-Lipschitz in the max norm, so a
 * window's output error is at most its largest input error; averages carry the average error.
 */
export function withWindowErrors(pooled: Ref, input: Ref, windows: (o: number) => number[], average: number[] | null): Ref {
  for (let o = 0; o < pooled.data.length; o++) {
    const idx = windows(o);
    let e = 0;
    if (average === null) {
      for (const i of idx) e = Math.max(e, input.err[i]);
    } else {
      for (const i of idx) e += input.err[i];
      e = idx.length === 0 ? 0 : e / Math.abs(average[o]);
    }
    pooled.err[o] += e;
  }
  return pooled;
}

/** Flat input offsets of each output window of a max pool (for withWindowErrors). */
export function maxPoolWindows(inputShape: number[], kernel: number | [number, number], opts: MaxPoolOptions = {}): number[][] {
  const s = inputShape.length === 3 ? [1, ...inputShape] : inputShape;
  const [N, C, H, W] = s;
  const [kH, kW] = pair(kernel);
  const [sH, sW] = pair(opts.stride ?? kernel);
  const [pH, pW] = pair(opts.padding ?? 0);
  const [dH, dW] = pair(opts.dilation ?? 1);
  const OH = poolOutSize(H, kH, pH, sH, dH, opts.ceil_mode ?? false);
  const OW = poolOutSize(W, kW, pW, sW, dW, opts.ceil_mode ?? false);
  const out: number[][] = [];
  for (let plane = 0; plane < N * C; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const idx: number[] = [];
        for (let kh = 0; kh < kH; kh++) {
          const y = oy * sH - pH + kh * dH;
          if (y < 0 || y >= H) continue;
          for (let kw = 0; kw < kW; kw++) {
            const x = ox * sW - pW + kw * dW;
            if (x >= 0 && x < W) idx.push(plane * H * W + y * W + x);
          }
        }
        out.push(idx);
      }
    }
  }
  return out;
}

/** Flat input offsets and divisors of each output window of an avg pool (for withWindowErrors). */
export function avgPoolWindows(inputShape: number[], kernel: number | [number, number], opts: AvgPoolOptions = {}): { windows: number[][]; divisors: number[] } {
  const s = inputShape.length === 3 ? [1, ...inputShape] : inputShape;
  const [N, C, H, W] = s;
  const [kH, kW] = pair(kernel);
  const [sH, sW] = pair(opts.stride ?? kernel);
  const [pH, pW] = pair(opts.padding ?? 0);
  const OH = poolOutSize(H, kH, pH, sH, 1, opts.ceil_mode ?? false);
  const OW = poolOutSize(W, kW, pW, sW, 1, opts.ceil_mode ?? false);
  const windows: number[][] = [];
  const divisors: number[] = [];
  for (let plane = 0; plane < N * C; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const idx: number[] = [];
        const y0 = oy * sH - pH;
        const x0 = ox * sW - pW;
        const y1 = Math.min(y0 + kH, H + pH);
        const x1 = Math.min(x0 + kW, W + pW);
        for (let y = Math.max(y0, 0); y < Math.min(y1, H); y++) {
          for (let x = Math.max(x0, 0); x < Math.min(x1, W); x++) idx.push(plane * H * W + y * W + x);
        }
        const clipped = (Math.min(y1, H) - Math.max(y0, 0)) * (Math.min(x1, W) - Math.max(x0, 0));
        divisors.push(opts.divisor_override ?? ((opts.count_include_pad ?? true) ? (y1 - y0) * (x1 - x0) : clipped));
        windows.push(idx);
      }
    }
  }
  return { windows, divisors };
}

/** Flat input offsets of each adaptive window. */
export function adaptiveWindows(inputShape: number[], outputSize: number | (number | null)[]): number[][] {
  const s = inputShape.length === 3 ? [1, ...inputShape] : inputShape;
  const [N, C, H, W] = s;
  const [OH, OW] = adaptiveSizes(outputSize, H, W);
  const out: number[][] = [];
  for (let plane = 0; plane < N * C; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      const [y0, y1] = adaptiveWindow(oy, H, OH);
      for (let ox = 0; ox < OW; ox++) {
        const [x0, x1] = adaptiveWindow(ox, W, OW);
        const idx: number[] = [];
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) idx.push(plane * H * W + y * W + x);
        out.push(idx);
      }
    }
  }
  return out;
}
