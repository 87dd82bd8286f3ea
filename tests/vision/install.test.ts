// wasmnn as a user installs it: `npm pack` → `npm install <tarball>` into a fresh project (offline:
// wasmnn has no dependencies), then
//   - a Node script there imports "wasmnn" and "wasmnn/vision" by name and classifies the fixture
//     image with a generated resnet18 checkpoint: torchvision's top-5;
//   - the published types compile in a consumer's strict tsconfig without skipLibCheck: Node 20's
//     usual one (node16 resolution, target/lib ES2022, @types/node; no "dom", no "esnext") and a
//     browser one (lib ES2022 + DOM, no @types/node);
//   - a Vite app with Vite's default config builds, and its page classifies the image in Chromium.
// Needs dist/ (npm run build) like every other test of the package entries.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodePng } from "../../examples/png.js";
import { findChromium, CHROMIUM_FLAGS } from "../runtimes/chromium.mjs";
import { checkTop5, VISION_IMAGE } from "../runtimes/vision-example.mjs";
import { serve } from "../runtimes/server.mjs";
import { writeCheckpoint } from "./example-inputs.js";

const root = new URL("../../", import.meta.url).pathname;
const bin = (name: string) => join(root, "node_modules/.bin", name);
let work = "";
let app = "";

/** What a user writes: classify pixels (raw RGB, `scene.rgb` + its size) with a checkpoint. */
const CLASSIFY_SCRIPT = `
import { readFileSync } from "node:fs";
import { init, safetensors, tidy } from "wasmnn";
import { models, transforms } from "wasmnn/vision";

await init();
const model = models.resnet18().eval();
model.load_state_dict(safetensors.load(readFileSync("resnet18.safetensors")));
const preprocess = transforms.Compose([
  transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
  transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
]);
const { width, height } = JSON.parse(readFileSync("scene.json", "utf8"));
const image = { data: new Uint8Array(readFileSync("scene.rgb")), width, height };
const lines = tidy(() => {
  const [values, indices] = model.forward(preprocess(image).unsqueeze(0)).softmax(1).topk(5);
  const classes = indices.data();
  return [...values.data()].map((p, i) => \`\${(p * 100).toFixed(2)}%  \${models.IMAGENET_CATEGORIES[Number(classes[i])]}\`);
});
console.log(lines.join("\\n"));
`;

/** A Vite app's entry (the page's only script): decode with the browser, classify, print the top-5. */
const VITE_MAIN = `
import { init, safetensors, tidy } from "wasmnn";
import { models, transforms } from "wasmnn/vision";

const out = document.getElementById("out");
try {
  await init();
  const model = models.resnet18().eval();
  model.load_state_dict(safetensors.load(new Uint8Array(await (await fetch("/resnet18.safetensors")).arrayBuffer())));
  const blob = await (await fetch("/scene.png")).blob();
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const image = context.getImageData(0, 0, bitmap.width, bitmap.height);
  const preprocess = transforms.Compose([
    transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
    transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
  ]);
  const lines = tidy(() => {
    const [values, indices] = model.forward(preprocess(image).unsqueeze(0)).softmax(1).topk(5);
    const classes = indices.data();
    return [...values.data()].map((p, i) => \`\${(p * 100).toFixed(2)}%  \${models.IMAGENET_CATEGORIES[Number(classes[i])]}\`);
  });
  out.textContent = lines.join("\\n");
} catch (error) {
  out.textContent = \`error: \${error.message}\`;
}
`;

const CONSUMER_TYPES = `
import { init, tensor, safetensors, type Tensor } from "wasmnn";
import { models, transforms } from "wasmnn/vision";

await init();
const model = models.resnet18({ num_classes: 10 }).eval();
const preprocess = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()]);
const x: Tensor = preprocess({ data: new Uint8Array(32 * 24 * 3), width: 32, height: 24 }).unsqueeze(0);
const y: Tensor = model.forward(x);
const disposable: { [Symbol.dispose](): void } = y;
const bytes: Uint8Array = safetensors.save(model.state_dict());
const shape: readonly number[] = tensor([[1, 2], [3, 4]]).shape;
export { disposable, bytes, shape };
`;

beforeAll(async () => {
  expect(existsSync(join(root, "dist/vision.js")), "dist/ is missing: run npm run build").toBe(true);
  work = mkdtempSync(join(tmpdir(), "wasmnn-install-"));
  // --ignore-scripts: `prepare` would rebuild the .wasm; the package's files are already built
  execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], { cwd: root, encoding: "utf8" });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", join(work, tarball)], { cwd: app, encoding: "utf8" });
  // the user's own dev tools (npm would prune links made before the install)
  mkdirSync(join(app, "node_modules/@types"), { recursive: true });
  symlinkSync(join(root, "node_modules/@types/node"), join(app, "node_modules/@types/node"), "dir");
  symlinkSync(join(root, "node_modules/vite"), join(app, "node_modules/vite"), "dir");
  await writeCheckpoint("resnet18", join(app, "resnet18.safetensors"));
  const image = await decodePng(readFileSync(join(root, VISION_IMAGE)));
  writeFileSync(join(app, "scene.rgb"), image.data);
  writeFileSync(join(app, "scene.json"), JSON.stringify({ width: image.width, height: image.height }));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed package, installed", () => {
  test("holds dist/, the .wasm builds, the vision types and the CLI, and nothing from src/ or tests/", () => {
    const pkg = join(app, "node_modules/wasmnn");
    for (const file of ["dist/node.js", "dist/vision.js", "dist/types/vision/index.d.ts", "build/wasmnn.wasm", "build/wasmnn-relaxed.wasm", "bin/wasmnn.mjs"]) {
      expect(existsSync(join(pkg, file)), file).toBe(true);
    }
    expect(readdirSync(pkg).sort()).toEqual(["README.md", "bin", "build", "dist", "package.json"]);
  });

  test("npx wasmnn convert runs from the installed package (node_modules/.bin)", () => {
    const out = execFileSync(join(app, "node_modules/.bin/wasmnn"),
      ["convert", join(root, "tests/fixtures/io/tiny_cnn.pth"), join(app, "tiny.safetensors"), "--dtype", "bfloat16"], { cwd: app, encoding: "utf8" });
    expect(out).toMatch(/tiny_cnn\.pth -> .*tiny\.safetensors: 15 tensors, bfloat16, \d+ bytes/);
  });

  test("a Node script imports wasmnn and wasmnn/vision by name and prints torchvision's top-5", () => {
    writeFileSync(join(app, "classify.mjs"), CLASSIFY_SCRIPT);
    const output = execFileSync(process.execPath, ["classify.mjs"], { cwd: app, encoding: "utf8", timeout: 120_000 });
    const { ok, detail } = checkTop5(root, output);
    expect(ok, detail).toBe(true);
  }, 120_000);

  test.each([
    ["Node 20 (node16, ES2022, @types/node)", { module: "node16", moduleResolution: "node16", target: "ES2022", lib: ["ES2022"] }],
    ["browser (bundler, ES2022 + DOM, no @types/node)", { module: "ESNext", moduleResolution: "bundler", target: "ES2022", lib: ["ES2022", "DOM"], types: [] }],
  ])("the published types compile in a strict consumer without skipLibCheck: %s", (_, options) => {
    writeFileSync(join(app, "consumer.ts"), CONSUMER_TYPES);
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, ...options }, files: ["consumer.ts"],
    }));
    let output = "";
    try {
      execFileSync(bin("tsc"), ["-p", "."], { cwd: app, encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 60_000);
});

describe("a Vite app (Vite's default config) that depends on wasmnn", () => {
  let dist = "";
  beforeAll(() => {
    const vite = join(app, "vite-app");
    mkdirSync(join(vite, "public"), { recursive: true });
    writeFileSync(join(vite, "index.html"), '<!doctype html>\n<meta charset="utf-8">\n<pre id="out">loading</pre>\n<script type="module" src="/main.js"></script>\n');
    writeFileSync(join(vite, "main.js"), VITE_MAIN);
    copyFileSync(join(root, VISION_IMAGE), join(vite, "public/scene.png"));
    // no vite.config: `vite build` with every default (its target, its handling of new URL(..., import.meta.url))
    execFileSync(process.execPath, [join(app, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: vite, encoding: "utf8", timeout: 120_000 });
    dist = join(vite, "dist");
    copyFileSync(join(app, "resnet18.safetensors"), join(dist, "resnet18.safetensors"));
  }, 180_000);

  test("vite build emits the .wasm as an asset", () => {
    expect(readdirSync(join(dist, "assets")).some((f) => /^wasmnn-.*\.wasm$/.test(f))).toBe(true);
  });

  test.skipIf(findChromium() === null && process.env.WASMNN_REQUIRE_BROWSER !== "1")("the built page classifies the image in Chromium: torchvision's top-5", async () => {
    const { chromium } = await import("playwright-core");
    const server = await serve(`${dist}/`);
    const browser = await chromium.launch({ executablePath: findChromium()!, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      await page.waitForFunction(() => /%|error/.test(document.getElementById("out")!.textContent ?? ""), null, { timeout: 120_000 });
      const { ok, detail } = checkTop5(root, (await page.textContent("#out")) ?? "");
      expect(ok, [detail, ...errors].join("; ")).toBe(true);
    } finally {
      await browser.close();
      server.close();
    }
  }, 180_000);
});
