// nn.Embedding, as torch.nn.Embedding: a lookup table of num_embeddings rows of embedding_dim floats.

import { Tensor } from "../tensor.js";
import { parseArgs, integer, pyFloat, pyType, required, type ArgSpec } from "../args.js";
import { embedding } from "../functional/embedding.js";
import { bool } from "../functional/pool.js";
import { standardNormalTensor } from "./init.js";
import { Module, Parameter, adoptAsParameter } from "./module.js";

const SPEC: ArgSpec = [
  ["num_embeddings", required], ["embedding_dim", required], ["padding_idx", null], ["max_norm", null],
  ["norm_type", 2.0], ["scale_grad_by_freq", false], ["sparse", false], ["_weight", null], ["_freeze", false],
  ["device", null], ["dtype", null],
];

/** PyTorch's padding_idx rule: within [-num_embeddings, num_embeddings), negative counted from the end. */
function paddingIndex(value: unknown, rows: number): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`padding_idx must be an int or None, but got ${pyType(value)}`);
  if (value >= rows || value < -rows) throw new Error("Padding_idx must be within num_embeddings");
  return value < 0 ? value + rows : value;
}

/**
 * A table of `num_embeddings` vectors of size `embedding_dim`: input int64 indices of any shape
 * [*] -> [*, embedding_dim] (https://pytorch.org/docs/1.13/generated/torch.nn.Embedding.html).
 * weight ~ N(0, 1), its padding_idx row zero, as PyTorch. max_norm renormalises the looked-up rows
 * of weight in place on every forward, as PyTorch's.
 *
 *     const emb = new nn.Embedding(10, 3, { padding_idx: 0 });
 *     emb.forward(tensor(new BigInt64Array([1n, 0n, 4n]), [3]));   // [3, 3], row 1 zeros
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly num_embeddings: number;
  readonly embedding_dim: number;
  readonly padding_idx: number | null;
  readonly max_norm: number | null;
  readonly norm_type: number;
  readonly scale_grad_by_freq: boolean;
  readonly sparse: boolean;

  constructor(num_embeddings: number, embedding_dim: number, ...rest: unknown[]);
  constructor(...args: unknown[]) {
    super();
    const a = parseArgs("Embedding.__init__", SPEC, args);
    this.num_embeddings = integer(a.num_embeddings, "num_embeddings", 0);
    this.embedding_dim = integer(a.embedding_dim, "embedding_dim", 0);
    this.padding_idx = paddingIndex(a.padding_idx, this.num_embeddings);
    if (a.max_norm !== null && typeof a.max_norm !== "number") throw new TypeError(`max_norm must be a float or None, but got ${pyType(a.max_norm)}`);
    if (typeof a.norm_type !== "number") throw new TypeError(`norm_type must be a float, but got ${pyType(a.norm_type)}`);
    this.max_norm = a.max_norm as number | null;
    this.norm_type = a.norm_type;
    this.scale_grad_by_freq = bool(a.scale_grad_by_freq, "scale_grad_by_freq");
    this.sparse = bool(a.sparse, "sparse");
    bool(a._freeze, "_freeze");
    if (a.device !== null) throw new TypeError(`Embedding: device ${String(a.device)} is not supported (wasmnn runs on the CPU's Wasm)`);
    if (a.dtype !== null && a.dtype !== "float32") throw new TypeError(`Embedding: dtype ${String(a.dtype)} is not supported (float32 only)`);
    const shape = [this.num_embeddings, this.embedding_dim];
    if (a._weight !== null) {
      const given = a._weight;
      if (!(given instanceof Tensor) || given.shape.length !== 2 || given.shape[0] !== shape[0] || given.shape[1] !== shape[1]) {
        throw new Error("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(given);   // shares the given tensor's data, as PyTorch
    } else {
      // N(0, 1), the padding row zeroed; deferred (init.ts): drawn when first read
      const padding = this.padding_idx;
      this.weight = adoptAsParameter(standardNormalTensor(shape,
        padding === null ? undefined : [padding * this.embedding_dim, (padding + 1) * this.embedding_dim]));
    }
  }

  /**
   * Embedding.from_pretrained(embeddings, freeze=True, padding_idx=None, max_norm=None,
   * norm_type=2.0, scale_grad_by_freq=False, sparse=False): the weight shares `embeddings`' data.
   */
  static from_pretrained(...args: unknown[]): Embedding {
    const a = parseArgs("from_pretrained", [
      ["embeddings", required], ["freeze", true], ["padding_idx", null], ["max_norm", null], ["norm_type", 2.0],
      ["scale_grad_by_freq", false], ["sparse", false],
    ], args);
    const embeddings = a.embeddings;
    if (!(embeddings instanceof Tensor) || embeddings.dim() !== 2) throw new Error("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape;
    return new Embedding(rows, cols, a.padding_idx, a.max_norm, a.norm_type, a.scale_grad_by_freq, a.sparse, embeddings, a.freeze);
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, this.padding_idx, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.sparse);
  }

  override extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    if (this.max_norm !== null) s += `, max_norm=${pyFloat(this.max_norm)}`;
    if (this.norm_type !== 2) s += `, norm_type=${pyFloat(this.norm_type)}`;
    if (this.scale_grad_by_freq) s += ", scale_grad_by_freq=True";
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}
