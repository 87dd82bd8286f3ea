#!/usr/bin/env node
// `npx wasmnn convert in.pth out.safetensors [--dtype float16|bfloat16]` (see convert.mjs)
import { main } from "./convert.mjs";

main(process.argv.slice(2)).then((line) => console.log(line), (error) => {
  console.error(`wasmnn: ${error.message}`);
  process.exit(1);
});
