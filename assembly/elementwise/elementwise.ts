// Same-shape f32 addition, kept for callers that predate broadcasting (see binary.ts).
import { f32_binary } from "./binary";

/** out[i] = a[i] + b[i] over n floats; out may alias a or b. */
export function f32_add(a: usize, b: usize, out: usize, n: i32): void {
  f32_binary(0, 0, a, b, out, 1, 1, 0, 0, 1, 0, 0, n, n, 0, 1);
}
