// The seed's stem block, Conv2d(3,64,7,2,3,bias=False) -> BatchNorm2d(64) -> ReLU(inplace) ->
// MaxPool2d(3,2,1), with PyTorch's weights and outputs (tests/fixtures/seed_block.*).
import { beforeAll, describe, expect, test } from "vitest";
import { init, nn, memory, type Tensor } from "../src/index.js";
import { expectClose, loadFixture } from "./helpers.js";

await init();
const { tensors } = loadFixture<unknown>("seed_block");

function stemBlock(id: string): nn.Sequential {
  const block = new nn.Sequential(
    new nn.Conv2d(3, 64, 7, 2, 3, { bias: false }), new nn.BatchNorm2d(64), new nn.ReLU(true), new nn.MaxPool2d(3, 2, 1));
  const state: Record<string, Tensor> = {};
  for (const [key, value] of Object.entries(tensors)) if (key.startsWith(`${id}.state.`)) state[key.slice(id.length + 7)] = value;
  block.load_state_dict(state);
  return block.eval();
}

/** conv tolerance (see conv2d.test.ts), scaled by BatchNorm's largest gain (|w|/sqrt(var+eps) < 10 here) */
const TOL = { atol: 1e-4, rtol: 1e-4 };

describe("seed stem block", () => {
  let block: nn.Sequential;
  beforeAll(() => { block = stemBlock("seed"); });

  test("1x3x304x228 -> 1x64x76x57 equals PyTorch", () => {
    const out = block.forward(tensors["seed.input"]);
    expect(out.shape).toEqual([1, 64, 76, 57]);
    const error = expectClose(out.data(), tensors["seed.output"].data(), TOL, "seed");
    console.log(`seed block: max abs error ${error.toExponential(2)}`);
    out.dispose();
  });

  test("each layer equals PyTorch's intermediate (small input)", () => {
    const small = stemBlock("seed_small");
    // ReLU(inplace) overwrites the BatchNorm output it gets, which is ours, never a fixture tensor
    let x: Tensor = tensors["seed_small.input"];
    small.children().forEach((layer, i) => {
      const y = layer.forward(x) as Tensor;
      expectClose(y.data(), tensors[`seed_small.layer${i}`].data(), TOL, `layer${i}`);
      x = y;
    });
    small.dispose();
  });

  test("10,000 forwards keep linear memory and live bytes flat", () => {
    const input = tensors["seed_small.input"];
    for (let i = 0; i < 100; i++) block.forward(input).dispose();
    const steady = memory();
    for (let i = 0; i < 10_000; i++) block.forward(input).dispose();
    const after = memory();
    console.log(`seed block soak: wasm ${steady.wasmBytes} -> ${after.wasmBytes} bytes, live ${steady.liveBytes} -> ${after.liveBytes} bytes, tensors ${steady.liveTensors} -> ${after.liveTensors}`);
    expect(after).toEqual(steady);
  });
});
