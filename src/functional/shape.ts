// Shape arithmetic and argument checks shared by the functional ops.

import { Tensor } from "../tensor.js";

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/** H_out = floor((H + padBefore + padAfter - dilation*(kernel-1) - 1) / stride) + 1 */
export function convOutputSize(size: number, kernel: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  return Math.floor((size + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

export function checkTensor(value: unknown, op: string, name: string): Tensor {
  // throws if disposed; and copies a deferred tensor (safetensors.load) into linear memory now, before
  // the op takes any heap view (tensor.ts Storage)
  checkHandle(value, op, name).ptr;
  return value as Tensor;
}

/** checkTensor for the views, which read no data: a deferred tensor stays in its file's bytes. */
export function checkHandle(value: unknown, op: string, name: string): Tensor {
  if (!(value instanceof Tensor)) {
    throw new TypeError(`${op}(): argument '${name}' must be Tensor, not ${value === null ? "None" : typeof value}`);
  }
  value.version; // throws if disposed
  return value;
}

export function checkFloat(tensor: Tensor, op: string, name: string): void {
  if (tensor.dtype !== "float32") {
    throw new TypeError(`${op}(): expected ${name} to be a float32 tensor, but got ${tensor.dtype}`);
  }
}

/** A convolution's operands: float32 tensors input and weight, and a float32 bias or null/undefined (none). */
export function checkConvOperands(op: string, inputArg: unknown, weightArg: unknown, biasArg: unknown): { input: Tensor; weight: Tensor; bias: Tensor | null } {
  const input = checkTensor(inputArg, op, "input");
  const weight = checkTensor(weightArg, op, "weight");
  const bias = biasArg === null || biasArg === undefined ? null : checkTensor(biasArg, op, "bias");
  checkFloat(input, op, "input");
  checkFloat(weight, op, "weight");
  if (bias !== null) checkFloat(bias, op, "bias");
  return { input, weight, bias };
}

/** 3-D (unbatched) or 4-D (batched) image input, as PyTorch's conv and pooling accept. */
export function checkImageInput(input: Tensor, op: string): void {
  if (input.dim() !== 3 && input.dim() !== 4) {
    throw new Error(`Expected 3D (unbatched) or 4D (batched) input to ${op}, but got input of size: ${fmtShape(input.shape)}`);
  }
}

/** [N, C, H, W] of a 3-D or 4-D input (N = 1 when unbatched). */
export function nchw(input: Tensor): [number, number, number, number] {
  const s = input.shape;
  return s.length === 4 ? [s[0], s[1], s[2], s[3]] : [1, s[0], s[1], s[2]];
}
