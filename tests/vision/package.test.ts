// wasmnn/vision as a package entry: its own `exports` subpath for every runtime condition, sharing
// the core chunk (so the user's init() from "wasmnn" is the one vision's models use), and never
// imported by the core.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const root = new URL("../../", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []);
}

test("nothing in the core imports src/vision", () => {
  const offenders = sourceFiles("src").filter((file) => !file.startsWith("src/vision/"))
    .filter((file) => /from\s+["'][^"']*vision[^"']*["']|import\(\s*["'][^"']*vision/.test(readFileSync(join(root, file), "utf8")));
  expect(offenders).toEqual([]);
});

test("package.json exports ./vision for every runtime condition the core has", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const core = Object.keys(pkg.exports["."]);
  expect(Object.keys(pkg.exports["./vision"]).sort()).toEqual(core.sort());
  for (const condition of core.filter((c) => c !== "types")) expect(pkg.exports["./vision"][condition]).toBe("./dist/vision.js");
  expect(pkg.exports["./vision"].types).toBe("./dist/types/vision/index.d.ts");
});

test("the built runtime entries do not load vision; vision loads the same core chunk", () => {
  const dist = join(root, "dist");
  const imports = (file: string) => [...readFileSync(join(dist, file), "utf8").matchAll(/from\s*"(\.\/[^"]+)"/g)].map((m) => m[1]);
  for (const entry of ["node.js", "browser.js", "deno.js", "workerd.js"]) {
    expect(imports(entry).some((specifier) => specifier.includes("vision"))).toBe(false);
  }
  // the entries share the core chunks (the core, and torch.load's loaders in their own chunk)
  const core = imports("node.js").filter((s) => s.startsWith("./core-"));
  expect(core.length).toBeGreaterThanOrEqual(1);
  const fromVision = imports("vision.js").filter((s) => s.startsWith("./core-"));
  expect(fromVision.length).toBeGreaterThanOrEqual(1);
  for (const chunk of fromVision) expect(core).toContain(chunk);
  // no core chunk holds vision code
  for (const chunk of core) expect(readFileSync(join(dist, chunk), "utf8")).not.toContain("Conv2dNormActivation");
});

test("a Node user's `import 'wasmnn'` + `import 'wasmnn/vision'` share one initialised instance", () => {
  // the package resolves itself by name (Node's self-reference through "exports"), as an installed dependency would
  const script = `
    import { init, tensor } from "wasmnn";
    import { models } from "wasmnn/vision";
    await init();
    const m = models.resnet18({ num_classes: 7 }).eval();
    const y = m.forward(tensor(new Float32Array(3 * 64 * 64).fill(0.5), [1, 3, 64, 64]));
    console.log(JSON.stringify(y.shape));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  expect(out.trim()).toBe("[1,7]");
}, 60_000);
