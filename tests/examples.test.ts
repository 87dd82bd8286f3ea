// examples/node.mjs runs as a user would run it, through the package's "node" entry.
import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";

test("examples/node.mjs runs the seed block", () => {
  const root = new URL("../", import.meta.url).pathname;
  const output = execFileSync(process.execPath, ["examples/node.mjs"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  expect(output).toContain("-> [1, 64, 76, 57]");
});
