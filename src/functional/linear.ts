// F.linear: y = x W^T + b over the last dimension of x.

import { Tensor, empty } from "../tensor.js";
import { wasm } from "../runtime.js";
import { parseArgs } from "../args.js";
import { checkFloat, checkTensor, fmtShape } from "./shape.js";
import { Workspace } from "../allocator.js";
import { parallel, threadBytes, threadsFor } from "../threads/parallel.js";

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
  if (rows >= GEMM_ROWS && inFeatures > 0) linearGemm(input.ptr, weight.ptr, bias?.ptr ?? 0, output.ptr, rows, inFeatures, outFeatures);
  else linearDots(input.ptr, weight.ptr, bias?.ptr ?? 0, output.ptr, rows, inFeatures, outFeatures);
  return output;
}

/**
 * f32_linear (a dot product per output), split across threads (issue #15) by outputs: units of 16
 * consecutive outputs of the rows x outFeatures.
 */
export function linearDots(input: number, weight: number, bias: number, output: number, rows: number, inFeatures: number, outFeatures: number): void {
  const outputs = rows * outFeatures;
  parallel("f32_linear", outputs, threadsFor(outputs * inFeatures, Math.ceil(outputs / 16)), (start, end) =>
    [input, weight, bias, output, rows, inFeatures, outFeatures, start, end], { align: 16 });
}

/**
 * f32_linear_gemm: the weights packed into panels of 8 output features (split by panels), then the
 * GEMM split by blocks of 5 rows where there are enough of them for every thread, else by (row
 * block, panel) units (each task packs its row block's inputs once for its run of panels).
 */
function linearGemm(input: number, weight: number, bias: number, output: number, rows: number, inFeatures: number, outFeatures: number): void {
  const k = wasm();
  const panels = Math.ceil(outFeatures / 8);
  const rowBlocks = Math.ceil(rows / 5);
  const panelBytes = k.f32_linear_gemm_workspace(inFeatures, outFeatures);
  const threads = threadsFor(rows * inFeatures * outFeatures, rowBlocks * panels);
  const rowBytes = threadBytes(5 * inFeatures * 4, threads);
  const ws = workspace.get(panelBytes + rowBytes * threads);
  parallel("f32_linear_gemm_pack", panels, threadsFor(inFeatures * outFeatures, panels), (start, end) =>
    [weight, inFeatures, outFeatures, ws, start, end]);
  const panelsPerUnit = threads === 1 || rowBlocks >= 12 * threads ? 0 : 1;
  const units = panelsPerUnit === 0 ? rowBlocks : rowBlocks * panels;
  parallel("f32_linear_gemm", units, threads, (start, end) =>
    [input, ws, bias, output, rows, inFeatures, outFeatures, ws + panelBytes, start, end, panelsPerUnit],
  { perThread: { arg: 7, bytes: rowBytes } });
}
