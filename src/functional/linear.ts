// F.linear: y = x W^T + b over the last dimension of x.

import { Tensor, empty } from "../tensor.js";
import { wasm } from "../runtime.js";
import { parseArgs } from "../args.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";
import { Workspace } from "../allocator.js";

const workspace = new Workspace("linear workspace");

/**
 * From this many rows, the GEMM micro-kernel (weights packed per call) beats per-row dot products
 * (measured: 8 rows 512 -> 512 0.133 vs 0.157 ms, 1280 -> 1000 0.69 vs 0.77 ms; 4 rows lose).
 */
const GEMM_ROWS = 8;

/** torch.nn.functional.linear(input, weight, bias=None): input [*, in], weight [out, in], bias [out]. */
export function linear(...args: unknown[]): Tensor {
  const a = parseArgs("linear", [["input", undefined], ["weight", undefined], ["bias", null]], args);
  const input = checkTensor(a.input, "linear", "input");
  const weight = checkTensor(a.weight, "linear", "weight");
  const bias = a.bias === null ? null : checkTensor(a.bias, "linear", "bias");
  checkFloat(input, "linear", "input");
  checkFloat(weight, "linear", "weight");
  if (bias) checkFloat(bias, "linear", "bias");
  if (weight.dim() !== 2) throw new Error(`linear(): expected weight of shape [out_features, in_features], but got ${fmtShape(weight.shape)}`);
  if (input.dim() === 0) throw new Error("both arguments to linear need to be at least 1D, but they are 0D and 2D");
  const [outFeatures, inFeatures] = weight.shape;
  const features = input.shape[input.dim() - 1];
  // the product of the leading dims (not numel / features: with in_features == 0 that is 0 rows,
  // and the output, which is then the bias, would be left uninitialised)
  const rows = input.shape.slice(0, -1).reduce((p, d) => p * d, 1);
  if (features !== inFeatures) {
    throw new Error(`mat1 and mat2 shapes cannot be multiplied (${rows}x${features} and ${inFeatures}x${outFeatures})`);
  }
  const outShape = [...input.shape.slice(0, -1), outFeatures];
  if (bias && (bias.dim() !== 1 || bias.shape[0] !== outFeatures)) {
    // PyTorch's words: the bias is broadcast to the output's shape
    throw new Error(`The expanded size of the tensor (${outFeatures}) must match the existing size (${bias.shape[bias.dim() - 1]}) at non-singleton dimension ${outShape.length - 1}.  Target sizes: ${fmtShape(outShape)}.  Tensor sizes: ${fmtShape(bias.shape)}`);
  }
  const output = empty(outShape);
  if (output.numel() === 0) return output;
  const k = wasm();
  if (rows >= GEMM_ROWS && inFeatures > 0) {
    const ws = workspace.get(k.f32_linear_gemm_workspace(inFeatures, outFeatures));
    k.f32_linear_gemm(input.ptr, weight.ptr, bias?.ptr ?? 0, output.ptr, rows, inFeatures, outFeatures, ws);
  } else {
    k.f32_linear(input.ptr, weight.ptr, bias?.ptr ?? 0, output.ptr, rows, inFeatures, outFeatures);
  }
  return output;
}
