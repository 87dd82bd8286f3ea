// Addresses past 2 GiB: wasm32 memory reaches 4 GiB, but an i32 returned to JavaScript is signed,
// so the host reads every address unsigned (`>>> 0`, `>>> 2`). Before, a model above 2 GiB of
// weights (regnet_y_128gf: 2.6 GB) failed with "offset is out of bounds". Runs in its own process
// (vitest's forks pool), so the 2 GiB it grows stays out of the other suites.
import { expect, test } from "vitest";
import { init, memory, nn, tensor, zeros, F } from "../src/index.js";

await init();

test("tensors allocated past 2 GiB read, write and compute correctly", () => {
  // two 1 GiB blocks push the next allocation past 2^31
  const fillers = [zeros([(1 << 28) - 16]), zeros([(1 << 28) - 16])];
  const high = tensor([1, -2, 3, -4], [4]);
  expect(high.ptr).toBeGreaterThanOrEqual(2 ** 31);
  expect(memory().wasmBytes).toBeGreaterThan(2 ** 31);
  expect(Array.from(high.data() as Float32Array)).toEqual([1, -2, 3, -4]);
  expect(Array.from(F.relu(high).data() as Float32Array)).toEqual([1, 0, 3, 0]);
  expect(Array.from(high.add(high).data() as Float32Array)).toEqual([2, -4, 6, -8]);
  // the host-side paths that index the heap by address: nn.init, dropout, conv's row copies
  const w = nn.init.constant_(tensor(new Float32Array(8), [2, 4]), 0.5);
  expect(Array.from(w.data() as Float32Array)).toEqual(new Array(8).fill(0.5));
  const dropped = F.dropout(high, 0.5, true).data() as Float32Array;
  for (let i = 0; i < 4; i++) expect([0, 2 * [1, -2, 3, -4][i]]).toContain(dropped[i]);
  const conv = new nn.Conv2d(1, 1, 3, { padding: 1, bias: false });
  nn.init.constant_(conv.weight, 1);
  const y = conv.forward(tensor(new Float32Array(9).fill(1), [1, 1, 3, 3])).data() as Float32Array;
  expect(Array.from(y)).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  for (const t of fillers) t.dispose();
}, 120_000);
