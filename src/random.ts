// The seedable generator behind randn and the default weight initialisation (torch.manual_seed).
// xoshiro128** seeded through splitmix32: fast, 32-bit, identical in every JavaScript engine.

const state = new Uint32Array(4);

/** Seeds the generator, as torch.manual_seed. */
export function manual_seed(seed: number | bigint): void {
  let s = Number(BigInt.asUintN(32, BigInt(seed))) >>> 0;
  for (let i = 0; i < 4; i++) {
    // splitmix32
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
}
manual_seed(Date.now());

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(state[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (state[1] << 9) >>> 0;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 11);
  return result;
}

/** Uniform in [0, 1) with 24 random bits (exactly representable in float32). */
export function uniform01(): number {
  return (nextU32() >>> 8) / 16777216;
}

/** Fills `out` with U(low, high), as torch.nn.init.uniform_. */
export function fillUniform(out: Float32Array, low: number, high: number): void {
  for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * uniform01();
}

/** Fills `out` with N(0, 1) by Box-Muller. */
export function fillNormal(out: Float32Array): void {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - uniform01();              // (0, 1]: log stays finite
    const u2 = uniform01();
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
}

// -- deferred initialisation (issue #13): a tensor's values as a recipe, drawn when first needed ---

/** The generator's outputs that fillUniform takes for `n` values: one each. */
export function uniformDraws(n: number): number {
  return n;
}

/** The generator's outputs that fillNormal takes for `n` values: two per Box-Muller pair, the last pair whole for odd n. */
export function normalDraws(n: number): number {
  return n + (n & 1);
}

/**
 * Advances the generator past `draws` outputs, exactly as drawing them would, without computing
 * anything from them (xoshiro128**'s state update alone, on locals).
 */
export function skip(draws: number): void {
  let s0 = state[0] | 0, s1 = state[1] | 0, s2 = state[2] | 0, s3 = state[3] | 0;
  for (let i = 0; i < draws; i++) {
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** A distribution to fill a float32 tensor with: nn.init's, and the layers' default initialisation. */
export type Fill =
  | { kind: "uniform"; low: number; high: number }          // fillUniform (nn.init.uniform_, kaiming_uniform_, ...)
  | { kind: "normal"; mean: number; std: number }            // nn.init.normal_: mean + std * fillNormal's values
  | { kind: "standard_normal" }                             // fillNormal's values as they are (randn, Embedding)
  | { kind: "constant"; value: number };                    // nn.init.constant_ (no draws)

/** The generator's outputs that `fill` takes for `n` values. */
export function drawsFor(fill: Fill, n: number): number {
  switch (fill.kind) {
    case "uniform": return uniformDraws(n);
    case "normal": case "standard_normal": return normalDraws(n);
    case "constant": return 0;
  }
}

/** Fills `out` with `fill`'s values, drawing from the generator as it stands (the eager path). */
export function fillWith(out: Float32Array, fill: Fill): void {
  switch (fill.kind) {
    case "uniform": fillUniform(out, fill.low, fill.high); return;
    case "normal": {
      fillNormal(out);
      const { mean, std } = fill;
      for (let i = 0; i < out.length; i++) out[i] = mean + std * out[i];
      return;
    }
    case "standard_normal": fillNormal(out); return;
    case "constant": out.fill(fill.value); return;
  }
}

/**
 * A tensor's values, not yet drawn: `fill` from the generator's state when it was planned
 * (`state`, null for a constant), then `zero` (a [begin, end) range of elements set to 0: an
 * Embedding's padding row). The values `replay` writes are bit for bit those `fillWith` would have
 * written at planning time.
 */
export interface Recipe {
  readonly fill: Fill;
  readonly state: Uint32Array | null;
  readonly zero?: readonly [number, number];
}

/**
 * Plans `fill` for `n` values: snapshots the generator and advances it past the draws the fill
 * takes, so everything drawn after (the next layer's init, randn) is as if the values were drawn now.
 */
export function plan(fill: Fill, n: number, zero?: readonly [number, number]): Recipe {
  const draws = drawsFor(fill, n);
  const recipe: Recipe = { fill, state: draws > 0 ? state.slice() : null, ...(zero ? { zero } : {}) };
  skip(draws);
  return recipe;
}

/** Writes `recipe`'s values into `out` (its length the planned n), leaving the generator as it was. */
export function replay(out: Float32Array, recipe: Recipe): void {
  if (recipe.state === null) {
    fillWith(out, recipe.fill);
  } else {
    const saved = state.slice();
    state.set(recipe.state);
    try {
      fillWith(out, recipe.fill);
    } finally {
      state.set(saved);
    }
  }
  if (recipe.zero) out.fill(0, recipe.zero[0], recipe.zero[1]);
}
