// The "what convolution does" page (page/, `npm run page`) in headless Chromium (/usr/bin/chromium via
// playwright-core): it loads without console errors, draws 64 non-blank feature maps, stride 2 → 1
// doubles the conv's output size, an invalid groups value shows the library's error, and a
// screenshot lands in .test-output/page.png. [classify] The classify panel, given the fixture image and a
// generated resnet18 checkpoint, shows torchvision's top-5 (as examples/browser/classify.html must); a
// checkpoint for another model shows load_state_dict's missing/unexpected keys and leaves no tensors behind. Needs `npm run build` (dist/) first; builds page/dist itself.
// Without Chromium the suite is skipped loudly; WASMNN_REQUIRE_BROWSER=1 (set by CI) makes that a failure.
import { mkdirSync, readFileSync } from "node:fs";
import { chromiumSuite } from "./chromium.mjs";
import { buildPage } from "../../scripts/page.mjs";
import { checkTop5, visionCheckpoint, VISION_IMAGE, VISION_MODEL } from "./vision-example.mjs"; // [classify]

/** A safetensors file with a ResNet's names (conv1.*, bn1.*) and a distractor deeper conv. */
function resnetStemFile() {
  const entries = [];
  const f32 = (name, shape, value) => {
    const n = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, dtype: "F32", shape, bytes: Buffer.from(Float32Array.from({ length: n }, (_, i) => value(i)).buffer) });
  };
  f32("conv1.weight", [64, 3, 7, 7], (i) => (((i * 7919) % 201) - 100) / 400);
  f32("bn1.weight", [64], (i) => 0.5 + (i % 5) / 10);
  f32("bn1.bias", [64], (i) => ((i % 7) - 3) / 10);
  f32("bn1.running_mean", [64], (i) => ((i % 3) - 1) / 10);
  f32("bn1.running_var", [64], (i) => 1 + (i % 4) / 4);
  entries.push({ name: "bn1.num_batches_tracked", dtype: "I64", shape: [], bytes: Buffer.from(BigInt64Array.of(100n).buffer) });
  f32("layer1.0.conv1.weight", [64, 64, 3, 3], () => 0.01);
  const header = {};
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...entries.map((e) => e.bytes)]);
}

export async function runPage(root) {
  root = root.endsWith("/") ? root : `${root}/`;
  const started = Date.now();
  const output = `${root}.test-output`;
  mkdirSync(output, { recursive: true });
  const result = await chromiumSuite(root, "page", async (browser, origin, check) => {
    await buildPage(root);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors = [];
    page.on("console", (message) => { if (message.type() === "error") consoleErrors.push(message.text()); });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    page.on("requestfailed", (request) => consoleErrors.push(`request failed: ${request.url()}`));
    const runs = () => page.evaluate(() => window.__wasmnnPage?.runs ?? 0);
    /** does `action`, then waits for the page to finish the update it starts */
    const settle = async (action) => {
      const before = await runs();
      await action();
      await page.waitForFunction((n) => window.__wasmnnPage.runs > n, before, { timeout: 15_000 });
    };
    const text = (selector) => page.textContent(selector).then((t) => t.trim());
    const sizes = async () => ({ measured: await text("#size-measured"), formula: await text("#size-formula") });

    await page.goto(`${origin}/page/`);
    await page.waitForFunction(() => (window.__wasmnnPage?.runs ?? 0) > 0, null, { timeout: 30_000 });
    check("loads with no console errors", consoleErrors.length === 0 && (await page.evaluate(() => window.__wasmnnPage.error)) === null,
      consoleErrors.join("; ").slice(0, 300));

    // every canvas in the grid must have pixel variance (a blank or constant map has none)
    const maps = await page.evaluate(() => [...document.querySelectorAll("#grid canvas")].map((canvas) => {
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      let sumSquares = 0;
      const n = data.length / 4;
      for (let i = 0; i < data.length; i += 4) {
        sum += data[i];
        sumSquares += data[i] * data[i];
      }
      return { size: `${canvas.height}×${canvas.width}`, variance: sumSquares / n - (sum / n) ** 2 };
    }));
    const nonBlank = maps.filter((m) => m.variance > 1).length;
    check("the grid shows 64 non-blank feature maps", maps.length === 64 && nonBlank === 64,
      `${nonBlank} of ${maps.length} maps have pixel variance, ${maps[0]?.size ?? "?"} each`);

    await page.screenshot({ path: `${output}/page.png`, fullPage: true });
    check("screenshot saved", readFileSync(`${output}/page.png`).subarray(1, 4).toString() === "PNG", ".test-output/page.png");

    const before = await sizes();
    await settle(() => page.fill('#conv input[name="stride"]', "1"));
    const after = await sizes();
    const dims = (s) => s.split("×").map(Number);
    const [h0, w0] = dims(before.measured);
    const [h1, w1] = dims(after.measured);
    const convShape = await text('#layers tbody tr[data-layer="0"] td.shape');
    check("stride 2 → 1 doubles the conv's output size", h1 === 2 * h0 && w1 === 2 * w0 && after.formula === after.measured &&
      before.formula === before.measured && convShape === `[1, 64, ${h1}, ${w1}]`,
      `${before.measured} → ${after.measured}, formula ${before.formula} → ${after.formula}, table ${convShape}`);

    await settle(() => page.fill('#conv input[name="groups"]', "5"));
    const shown = await page.isVisible("#error");
    const errorText = shown ? await text("#error pre") : "";
    await settle(() => page.fill('#conv input[name="groups"]', "1"));
    const cleared = !(await page.isVisible("#error"));
    check("groups=5 shows the library's error, groups=1 clears it",
      shown && errorText === "in_channels must be divisible by groups" && cleared, `shown: "${errorText}", cleared: ${cleared}`);

    // weights files: the seed fixture (a Sequential state_dict under "seed.state.") and ResNet names
    await settle(() => page.setInputFiles("#weights-file", `${root}tests/fixtures/seed_block.safetensors`));
    const seedStatus = await text("#weights-status");
    await settle(() => page.setInputFiles("#weights-file", { name: "resnet-stem.safetensors", mimeType: "application/octet-stream", buffer: resnetStemFile() }));
    const resnetStatus = await text("#weights-status");
    const mapCount = await page.locator("#grid canvas").count();
    check("weights load from safetensors (Sequential keys under a prefix, ResNet's conv1/bn1)",
      seedStatus.includes("seed.state.0.weight → 0.weight") && seedStatus.includes("6 of 20 tensors recognised") &&
      resnetStatus.includes("conv1.weight → 0.weight") && resnetStatus.includes("bn1.running_var → 1.running_var") &&
      resnetStatus.includes("6 of 7 tensors recognised") && mapCount === 64,
      `${seedStatus.slice(0, 70)}… | ${resnetStatus.slice(0, 70)}…`);

    // the pool layer, then a click on a map enlarges it with its value range
    await page.click('#layer-choice label:has(input[value="3"])');
    await page.click('#grid button.map[data-channel="5"]');
    const zoom = await text("#zoom-stats");
    const poolShape = await text('#layers tbody tr[data-layer="3"] td.shape');
    check("a click enlarges a map with its value range", (await page.isVisible("#zoom")) && /^152×114 · min .* · max /.test(zoom) &&
      poolShape === "[1, 64, 152, 114]", `${await text("#zoom-title")}: ${zoom}`);
    await page.keyboard.press("Escape");

    // [classify] the fixture image as the page's image, resnet18 with the generated checkpoint: the panel must show
    // torchvision's recorded top-5 for that image (tests/fixtures/vision/examples/expected.json, gen_examples.py)
    const checkpoint = visionCheckpoint(root); // [classify]
    const classifyRuns = () => page.evaluate(() => window.__wasmnnPage.classify?.runs ?? 0); // [classify]
    const classifySettle = async (action) => { // [classify]
      const before = await classifyRuns();
      await action();
      await page.waitForFunction((n) => window.__wasmnnPage.classify.runs > n, before, { timeout: 120_000 });
      return page.evaluate(() => window.__wasmnnPage.classify);
    };
    const shownTop5 = () => page.$$eval("#classify-top5:not([hidden]) li", (items) => items.map((li) => // [classify]
      `${li.querySelector(".pct").textContent}  ${li.querySelector(".name").textContent}`).join("\n"));
    const { liveTensors: baseline } = await classifySettle(() => page.setInputFiles("#image-file", `${root}${VISION_IMAGE}`)); // [classify] no model yet
    await page.selectOption("#classify-model", VISION_MODEL); // [classify]
    const loaded = await classifySettle(() => page.setInputFiles("#classify-file", checkpoint)); // [classify]
    const top5 = checkTop5(root, await shownTop5()); // [classify]
    const caption = await text("#classify-status"); // [classify]
    check("[classify] resnet18 with its checkpoint shows torchvision's top-5 for the fixture image", // [classify]
      top5.ok && loaded.error === null && caption.includes("scene.png, 320×240"), `${top5.detail} | ${caption}`);
    await page.locator("#classify-card").screenshot({ path: `${output}/page-classify.png` }); // [classify]
    check("[classify] screenshot saved", readFileSync(`${output}/page-classify.png`).subarray(1, 4).toString() === "PNG", // [classify]
      ".test-output/page-classify.png");

    // [classify] another model: the same checkpoint no longer fits; resnet18 is disposed, the failed model too
    const wrong = await classifySettle(() => page.selectOption("#classify-model", "mobilenet_v3_small")); // [classify]
    const errorShown = (await page.isVisible("#classify-error")) ? await text("#classify-error-text") : ""; // [classify]
    const listHidden = !(await page.isVisible("#classify-top5")); // [classify]
    check("[classify] a checkpoint for another model shows load_state_dict's missing/unexpected keys", // [classify]
      errorShown.startsWith("Error(s) in loading state_dict for MobileNetV3:") && errorShown.includes('Missing key(s) in state_dict: "features.0.0.weight"') &&
      /Unexpected key\(s\) in state_dict: .*"conv1\.weight"/.test(errorShown) && listHidden && wrong.error?.trim() === errorShown,
      errorShown.replace(/(, "[^"]*")+/g, ", …").slice(0, 240));
    check("[classify] changing the model disposes the previous one (live tensors back to the count before any model)", // [classify]
      wrong.liveTensors === baseline && loaded.liveTensors > baseline, `${baseline} → ${loaded.liveTensors} with resnet18 → ${wrong.liveTensors}`);
    // a torch.save file is read by torch.load (a small CNN's state_dict: its keys are not the model's)
    const pth = await classifySettle(() => page.setInputFiles("#classify-file", `${root}tests/fixtures/io/tiny_cnn.pth`)); // [classify]
    check("[classify] a .pth file loads through torch.load: load_state_dict names its keys", // [classify]
      /^Error\(s\) in loading state_dict for \w+:/.test(pth.error ?? "") && /Unexpected key\(s\) in state_dict: "conv1\.weight"/.test(pth.error ?? ""),
      (pth.error ?? "no error").slice(0, 240));
    const broken = await classifySettle(() => page.setInputFiles("#classify-file", // [classify]
      { name: "resnet18-f37072fd.pth", mimeType: "application/octet-stream", buffer: Buffer.from("PK\x03\x04") }));
    check("[classify] a truncated .pth shows torch.load's error", /^load: zip: /.test(broken.error ?? ""), broken.error ?? "no error");
    // back to a working panel for the phone screenshot (settled: its reload must not count as the next one's)
    await classifySettle(() => page.selectOption("#classify-model", VISION_MODEL)); // [classify]
    await classifySettle(() => page.setInputFiles("#classify-file", checkpoint)); // [classify]
    const again = checkTop5(root, await shownTop5()); // [classify]
    check("[classify] the error clears and the top-5 returns with the right checkpoint", // [classify]
      again.ok && !(await page.isVisible("#classify-error")), again.detail);

    // phone width: nothing wider than the screen
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: `${output}/page-phone.png`, fullPage: true });
    check("usable at phone width (390 px, no horizontal overflow)", overflow <= 0, `overflow ${overflow}px, .test-output/page-phone.png`);

    check("no console errors through all of the above", consoleErrors.length === 0, consoleErrors.join("; ").slice(0, 300));
  });
  console.log(`  page suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
