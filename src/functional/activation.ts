// F.relu and F.relu6 (hardtanh 0..6). NaN stays NaN, as PyTorch.

import { Tensor, empty } from "../tensor.js";
import { wasm } from "../runtime.js";
import { parseArgs } from "../args.js";
import { bool } from "./pool.js";
import { checkFloat, checkTensor } from "./shape.js";

export function clampWith(inputArg: unknown, inplace: boolean, lo: number, hi: number, op: string): Tensor {
  const input = checkTensor(inputArg, op, "input");
  checkFloat(input, op, "input");
  const output = inplace ? input : empty(input.shape);
  wasm().f32_clamp(input.ptr, output.ptr, input.numel(), lo, hi);
  if (inplace) input._bump();
  return output;
}

/** torch.nn.functional.relu(input, inplace=False) */
export function relu(...args: unknown[]): Tensor {
  const a = parseArgs("relu", [["input", undefined], ["inplace", false]], args);
  return clampWith(a.input, bool(a.inplace, "inplace"), 0, Infinity, "relu");
}

/** torch.nn.functional.relu6(input, inplace=False) */
export function relu6(...args: unknown[]): Tensor {
  const a = parseArgs("relu6", [["input", undefined], ["inplace", false]], args);
  return clampWith(a.input, bool(a.inplace, "inplace"), 0, 6, "relu6");
}
