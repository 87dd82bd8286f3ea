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
