// Runs the conformance page in headless Chromium (/usr/bin/chromium via playwright-core).
// Without Chromium the suite is skipped loudly; WASMNN_REQUIRE_BROWSER=1 (set by CI) makes that a failure.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { serve } from "./server.mjs";
import { makeChecks } from "./checks.mjs";
import { checkTop5, visionCheckpoint, VISION_IMAGE } from "./vision-example.mjs";

export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Debian's Chromium; WASMNN_NO_CHROMIUM=1 pretends there is none (to check the skip path). */
export function findChromium() {
  if (process.env.WASMNN_NO_CHROMIUM === "1") return null;
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p)) ?? null;
}

/**
 * Runs `body(browser, origin, check)` against a server for `root` on 127.0.0.1 in headless Chromium;
 * without Chromium the suite is skipped loudly (a failure when WASMNN_REQUIRE_BROWSER=1, as in CI).
 */
export async function chromiumSuite(root, name, body, label = name) {
  const executablePath = findChromium();
  if (executablePath === null) {
    console.log(`SKIPPED: ${label} suite (no Chromium found; apt-get install chromium)`);
    if (process.env.WASMNN_REQUIRE_BROWSER === "1") return { name, passed: 0, failed: 1, skipped: 0, note: "WASMNN_REQUIRE_BROWSER=1 but no Chromium" };
    return { name, passed: 0, failed: 0, skipped: 1 };
  }
  const { check, result } = makeChecks(name);
  const { chromium } = await import("playwright-core");
  const server = await serve(root);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  try {
    await body(browser, `http://127.0.0.1:${server.address().port}`, check);
  } catch (error) {
    check("page runs", false, error.stack ?? String(error));
  } finally {
    await browser.close();
    server.close();
  }
  return result();
}

export function runChromium(root) {
  return chromiumSuite(root, "chromium", async (browser, origin, check) => {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on("console", (message) => { if (message.type() === "error") consoleErrors.push(message.text()); });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await page.goto(`${origin}/tests/browser/index.html`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
    const result = await page.evaluate(() => window.__result);
    check("conformance cases run through the browser entry", result.failures.length === 0, result.failures.join("; ").slice(0, 500));
    check("seed block matches PyTorch", result.seedMaxError !== null && result.seedMaxError <= 1e-4, `max abs error ${result.seedMaxError}`);
    check("page is cross-origin isolated (COOP/COEP)", result.crossOriginIsolated === true);
    check("no console errors", consoleErrors.length === 0, consoleErrors.join("; ").slice(0, 300));
    mkdirSync(`${root}.test-output`, { recursive: true });
    writeFileSync(`${root}.test-output/hashes-chromium.json`, JSON.stringify(result.hashes, null, 1));

    // [threads] a pool of 3: forward on the page's main thread, inside a Worker, and on a page that is
    // not cross-origin isolated (one thread, a warning saying why); every output bit as Node's single thread
    for (const [label, query, file] of [["the page's main thread", "threads=3", "chromium-threads"], ["a module Worker", "threads=3&mode=worker", "chromium-worker-threads"],
      ["a page not cross-origin isolated", "threads=3&isolated=0", "chromium-not-isolated"]]) {
      const threaded = await browser.newPage();
      const errors = [];
      threaded.on("pageerror", (error) => errors.push(error.message));
      await threaded.goto(`${origin}/tests/browser/index.html?${query}`);
      await threaded.waitForFunction(() => window.__result !== undefined, null, { timeout: 120_000 });
      const got = await threaded.evaluate(() => window.__result);
      const isolated = !query.includes("isolated=0");
      const backendOk = isolated
        ? got.backend?.shared === true && got.backend?.threads === 3 && got.backend?.poolThreads === 3
        : got.backend?.threads === 1 && /not cross-origin isolated|SharedArrayBuffer/.test(got.backend?.reason ?? "") &&
          got.warnings?.length === 1 && /init\(\{ threads: 3 \}\): running 1 thread/.test(got.warnings[0]) && got.crossOriginIsolated === false;
      check(`threads: conformance cases with init({ threads: 3 }) in ${label}`, got.failures.length === 0 && errors.length === 0 && backendOk,
        [JSON.stringify(got.backend), ...got.failures, ...errors, ...(got.warnings ?? [])].join("; ").slice(0, 600));
      writeFileSync(`${root}.test-output/hashes-${file}.json`, JSON.stringify(got.hashes, null, 1));
      await threaded.close();
    }

    // examples/browser/: the page a user would copy, through an import map to the browser entry
    const example = await browser.newPage();
    const exampleErrors = [];
    example.on("pageerror", (error) => exampleErrors.push(error.message));
    await example.goto(`${origin}/examples/browser/index.html`);
    await example.waitForFunction(() => document.getElementById("out").textContent.includes("->"), null, { timeout: 60_000 });
    const text = await example.textContent("#out");
    check("examples/browser runs the seed block", text.includes("-> [1, 64, 76, 57]") && exampleErrors.length === 0, text.split("\n").pop());

    // [vision] examples/browser/classify.html: the browser decodes the PNG; torchvision's top-5 with resnet18
    visionCheckpoint(root);
    const classify = await browser.newPage();
    const classifyErrors = [];
    classify.on("pageerror", (error) => classifyErrors.push(error.message));
    await classify.goto(`${origin}/examples/browser/classify.html?image=/${VISION_IMAGE}&weights=/.test-output/vision/resnet18.safetensors&model=resnet18`);
    await classify.waitForFunction(() => /%|error/.test(document.getElementById("out").textContent), null, { timeout: 120_000 });
    const top5 = checkTop5(root, await classify.textContent("#out"));
    check("examples/browser/classify.html prints torchvision's top-5", top5.ok && classifyErrors.length === 0, [top5.detail, ...classifyErrors].join("; "));
  }, "browser");
}
