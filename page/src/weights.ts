// Weights from a safetensors file, mapped onto the stem block's state_dict keys:
//   PyTorch Sequential(conv, bn, relu, pool):  0.weight [0.bias]  1.weight 1.bias 1.running_mean ...
//   a ResNet (torchvision names):               conv1.weight        bn1.weight bn1.bias ...
// with any common prefix ("seed.state.", "model.", ...). The stem's conv is the one whose
// weight takes 3 input channels; the shortest such key wins (so a ResNet's layer1.0.conv1 never does).

import { safetensors, tensor, type Tensor, type nn } from "wasmnn";

interface StoredTensor { shape: number[]; data: Float32Array | BigInt64Array }

export interface StemWeights {
  /** file name, for the status line */
  source: string;
  /** block key ("0.weight", "1.running_mean", ...) → values copied out of linear memory */
  tensors: Map<string, StoredTensor>;
  /** "file key → block key" for each used tensor */
  mapping: [string, string][];
  totalInFile: number;
}

const BN_NAMES = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];

/** Parses a safetensors file and picks out the stem's tensors. Throws a readable error if there is no stem. */
export function readStemWeights(bytes: Uint8Array, source: string): StemWeights {
  const loaded = safetensors.load(bytes);
  try {
    const keys = Object.keys(loaded);
    const candidates: { key: string; prefix: string; conv: string; bn: string }[] = [];
    for (const key of keys) {
      const shape = loaded[key].shape;
      for (const [conv, bn] of [["0", "1"], ["conv1", "bn1"]]) {
        const suffix = `${conv}.weight`;
        const atBoundary = key === suffix || key.endsWith(`.${suffix}`);
        if (atBoundary && shape.length === 4 && shape[1] === 3) {
          candidates.push({ key, prefix: key.slice(0, key.length - suffix.length), conv, bn });
        }
      }
    }
    if (candidates.length === 0) {
      const sample = keys.slice(0, 6).map((k) => `${k} [${loaded[k].shape.join(", ")}]`).join(", ");
      throw new Error(`no stem convolution in ${source}: expected "0.weight" or "conv1.weight" (optionally under a prefix) ` +
        `holding a [out, 3, kh, kw] tensor; the file has ${keys.length} tensors: ${sample}${keys.length > 6 ? ", …" : ""}`);
    }
    candidates.sort((a, b) => a.key.length - b.key.length || a.key.localeCompare(b.key));
    const { prefix, conv, bn } = candidates[0];
    const wanted: [string, string][] = [[`${prefix}${conv}.weight`, "0.weight"], [`${prefix}${conv}.bias`, "0.bias"],
      ...BN_NAMES.map((name): [string, string] => [`${prefix}${bn}.${name}`, `1.${name}`])];
    const tensors = new Map<string, StoredTensor>();
    const mapping: [string, string][] = [];
    for (const [fileKey, blockKey] of wanted) {
      const t = loaded[fileKey];
      if (t === undefined) continue;
      tensors.set(blockKey, { shape: [...t.shape], data: t.data() });
      mapping.push([fileKey, blockKey]);
    }
    return { source, tensors, mapping, totalInFile: keys.length };
  } finally {
    for (const t of Object.values(loaded)) t.dispose();
  }
}

/**
 * Copies every stored tensor whose shape fits the block's into it (non-strict, as
 * load_state_dict(strict=False)); returns the keys that did not fit, with the reason.
 */
export function applyStemWeights(block: nn.Sequential, weights: StemWeights): string[] {
  const own = block.state_dict();
  const subset: Record<string, Tensor> = {};
  const skipped: string[] = [];
  for (const [key, stored] of weights.tensors) {
    const target = own[key];
    const sameShape = target !== undefined && (target.shape.join() === stored.shape.join() ||
      (target.dim() === 0 && stored.data.length === 1));
    if (target === undefined) skipped.push(`${key}: the block has no such tensor (e.g. bias=False)`);
    else if (!sameShape) skipped.push(`${key} [${stored.shape.join(", ")}] does not fit [${target.shape.join(", ")}]`);
    else subset[key] = tensor(stored.data, stored.shape);
  }
  try {
    block.load_state_dict(subset, false);
  } finally {
    for (const t of Object.values(subset)) t.dispose();
  }
  return skipped;
}
