// F.bilinear: y = x1^T A x2 + b per row, as torch.nn.functional.bilinear.

import { Tensor, empty, numel } from "../tensor.js";
import { allocate, release } from "../allocator.js";
import { parseArgs, required } from "../args.js";
import { checkFloat, checkTensor } from "./shape.js";
import { parallel, threadBytes, threadsFor } from "../threads/parallel.js";

/**
 * torch.nn.functional.bilinear(input1, input2, weight, bias=None): input1 [*, in1], input2
 * [*, in2] (the same leading dims), weight [out, in1, in2], bias [out] -> [*, out], with
 * out[n, o] = bias[o] + sum_ij input1[n, i] weight[o, i, j] input2[n, j]. PyTorch's checks, in its order.
 */
export function bilinear(...args: unknown[]): Tensor {
  const a = parseArgs("bilinear", [["input1", required], ["input2", required], ["weight", required], ["bias", null]], args);
  const x1 = checkTensor(a.input1, "bilinear", "input1");
  const x2 = checkTensor(a.input2, "bilinear", "input2");
  const weight = checkTensor(a.weight, "bilinear", "weight");
  const bias = a.bias === null ? null : checkTensor(a.bias, "bilinear", "bias");
  for (const [t, name] of [[x1, "input1"], [x2, "input2"], [weight, "weight"], ...(bias ? [[bias, "bias"]] : [])] as [Tensor, string][]) {
    checkFloat(t, "bilinear", name);
  }
  if (x1.dim() !== x2.dim()) throw new Error(`bilinear(): input dimensions do not match: got ${x1.dim()} and ${x2.dim()}`);
  if (x1.dim() === 0) throw new Error("bilinear(): expected 1-D or larger inputs, but got 0-D");
  for (let i = 0; i < x1.dim() - 1; i++) {
    if (x1.shape[i] !== x2.shape[i]) {
      throw new Error(`bilinear(): input batch dimensions do not match at dim ${i}: got ${x1.shape[i]} and ${x2.shape[i]}`);
    }
  }
  const in1 = x1.shape[x1.dim() - 1], in2 = x2.shape[x2.dim() - 1];
  if (in1 !== weight.size(1)) throw new Error(`bilinear(): input1 size does not match weight size: got ${in1} but expected ${weight.size(1)}`);
  if (in2 !== weight.size(2)) throw new Error(`bilinear(): input2 size does not match weight size: got ${in2} but expected ${weight.size(2)}`);
  const outFeatures = weight.size(0);
  if (bias && bias.size(0) !== outFeatures) throw new Error(`bilinear(): bias size does not match weight size: got ${bias.size(0)} but expected ${outFeatures}`);
  if (weight.dim() !== 3) throw new Error(`bilinear(): expected a 3-D weight [out, in1, in2], but got ${weight.dim()}-D`);
  if (bias && bias.dim() !== 1) throw new Error(`bilinear(): expected a 1-D bias, but got ${bias.dim()}-D`);
  const rows = numel(x1.shape.slice(0, -1));
  const out = empty([...x1.shape.slice(0, -1), outFeatures]);
  if (out.numel() === 0) return out;
  // split across threads by rows (issue #15), each thread its own t (out * in1 floats)
  const threads = threadsFor(rows * outFeatures * in1 * (in2 + 1), rows);
  const bytes = threadBytes(Math.max(outFeatures * in1 * 4, 16), threads);
  const workspace = allocate(bytes * threads, "bilinear workspace", "workspaces");
  try {
    parallel("f32_bilinear", rows, threads, (start, end) =>
      [x1.ptr, x2.ptr, weight.ptr, bias?.ptr ?? 0, out.ptr, rows, in1, in2, outFeatures, workspace, start, end], { perThread: { arg: 9, bytes } });
  } finally {
    release(workspace, bytes * threads);
  }
  return out;
}
