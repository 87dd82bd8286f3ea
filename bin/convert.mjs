// wasmnn's command line (Node ≥ 20; bin/wasmnn.mjs runs it):
//
//   npx wasmnn convert model.pth model.safetensors [--dtype float16|bfloat16]
//
// converts a PyTorch checkpoint (torch.save's zip or legacy format, read as torch.load(f,
// weights_only=True) does: nothing in the file is executed) into safetensors, e.g. to ship a
// half-size file to a Worker. A training checkpoint's state_dict (a "state_dict" or "model" entry
// holding the tensors) is what gets written; --dtype float16/bfloat16 halves the float tensors.
import { readFileSync, writeFileSync } from "node:fs";
import { init, load, safetensors, Tensor } from "../dist/node.js";

const USAGE = "usage: wasmnn convert <in.pth|in.pt|in.safetensors> <out.safetensors> [--dtype float32|float16|bfloat16]";

/** The flat name -> tensor record to save: the object itself, or its state_dict / model entry. */
function tensorsOf(value, path) {
  const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Tensor) && !(v instanceof Map);
  if (!isRecord(value)) throw new Error(`${path} holds ${value === null ? "None" : Array.isArray(value) ? "a list" : typeof value}, not a state_dict`);
  const entries = Object.entries(value);
  if (entries.length > 0 && entries.every(([, v]) => v instanceof Tensor)) return value;
  for (const key of ["state_dict", "model_state_dict", "model"]) {
    if (isRecord(value[key])) return tensorsOf(value[key], `${path}['${key}']`);
  }
  const other = entries.find(([, v]) => !(v instanceof Tensor));
  throw new Error(`${path} is not a state_dict: '${other?.[0]}' is not a tensor, and there is no 'state_dict' or 'model' entry`);
}

export async function main(argv) {
  const [command, input, output, ...rest] = argv;
  if (command !== "convert" || input === undefined || output === undefined) throw new Error(USAGE);
  let dtype = "float32";
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--dtype" && i + 1 < rest.length) dtype = rest[++i];
    else if (rest[i].startsWith("--dtype=")) dtype = rest[i].slice(8);
    else throw new Error(`unknown argument '${rest[i]}'\n${USAGE}`);
  }
  if (!["float32", "float16", "bfloat16"].includes(dtype)) throw new Error(`--dtype must be float32, float16 or bfloat16, but got '${dtype}'`);
  await init();
  const bytes = readFileSync(input);
  const loaded = input.endsWith(".safetensors") ? safetensors.load(bytes) : load(bytes);
  const tensors = tensorsOf(loaded, input);
  const file = dtype === "float32" ? safetensors.save(tensors) : safetensors.save(tensors, { dtype });
  writeFileSync(output, file);
  const count = Object.keys(tensors).length;
  return `${input} -> ${output}: ${count} tensor${count === 1 ? "" : "s"}, ${dtype}, ${file.length} bytes`;
}
