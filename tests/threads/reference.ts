// Child process of tests/threads/harness.ts: the single-thread build's hashes of a cases module.
import { init, backend } from "../../src/index.js";
import { hashCases, type Cases } from "./harness.js";

await init({ threads: 1 });
if (backend().shared) throw new Error("the reference must be the single-thread build");
const { cases } = await import(process.argv[2]) as { cases: Cases };
console.log(JSON.stringify(await hashCases(cases)));
