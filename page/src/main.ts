// The page: image → tensor, the stem block built from the controls, a layer table, the feature-map grid.
// Everything runs on the main thread through the package's browser entry ("wasmnn" → /dist/browser.js).

import { init, memory, safetensors, tensor, type Tensor, type nn } from "wasmnn";
import { INPUT_HEIGHT, INPUT_WIDTH, canvasToNCHW, drawCover, drawDefaultImage } from "./image.js";
import { OUT_CHANNELS, SEED_CONV, LayerError, benchmarkStem, buildStem, convCall, convSizeFormula, runStem, type ConvArgs, type LayerOutput } from "./stem.js";
import { applyStemWeights, readStemWeights, type StemWeights } from "./weights.js";
import { drawChannel, drawFilter, formatValue } from "./maps.js";
import { ClassifyPanel, type ClassifyImage, type ClassifyStatus } from "./classify.js";
import { imageData } from "../../examples/browser/classify.mjs";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

interface State {
  input: Tensor | null;
  block: nn.Sequential | null;
  outputs: LayerOutput[];
  /** conv weight [out, in/groups, kh, kw] of the block shown, for the filter preview */
  convWeight: { data: Float32Array; shape: number[] } | null;
  weights: StemWeights | null;
  layer: number;
  zoomChannel: number;
  /** the grid shows an earlier configuration (the current one is invalid) */
  stale: boolean;
}
const state: State = { input: null, block: null, outputs: [], convWeight: null, weights: null, layer: 0, zoomChannel: 0, stale: false };

/** What the test (tests/runtimes/page.mjs) waits on: runs counts finished updates. */
const status = { runs: 0, error: null as string | null, classify: null as ClassifyStatus | null };
(window as unknown as { __wasmnnPage: typeof status }).__wasmnnPage = status;

/** the "6 · Classify" panel, made once init() is done */
let classifier: ClassifyPanel | null = null;
/** the page's current image at its own size, for the classifier (the stem sees the 228×304 canvas) */
let currentImage: ClassifyImage | null = null;

function setClassifyImage(image: ClassifyImage): void {
  currentImage = image;
  void classifier?.setImage(image);
}

function canvasImage(source: string): ClassifyImage {
  const canvas = $<HTMLCanvasElement>("input");
  const { data, width, height } = canvas.getContext("2d", { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height);
  return { data, width, height, source };
}

// ---------- controls → Conv2d arguments ----------

/** "7" → 7, "7, 5" / "(7, 5)" / "[7, 5]" → [7, 5]; anything else goes to the library as typed, to be judged there. */
function parseArgument(text: string): unknown {
  const t = text.trim();
  const number = /^[+-]?\d+(?:\.\d+)?$/;
  if (number.test(t)) return Number(t);
  const pair = t.replace(/^[([]\s*|\s*[)\]]$/g, "").split(/\s*,\s*/);
  if (pair.length === 2 && pair.every((p) => number.test(p))) return pair.map(Number);
  return t;
}

function readConvArgs(): ConvArgs {
  const form = $<HTMLFormElement>("conv");
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  return {
    kernel_size: parseArgument(field("kernel_size").value),
    stride: parseArgument(field("stride").value),
    padding: parseArgument(field("padding").value),
    dilation: parseArgument(field("dilation").value),
    groups: parseArgument(field("groups").value),
    padding_mode: field("padding_mode").value,
    bias: field("bias").checked,
  };
}

function writeConvArgs(args: ConvArgs): void {
  const form = $<HTMLFormElement>("conv");
  for (const [name, value] of Object.entries(args)) {
    const field = form.elements.namedItem(name) as HTMLInputElement;
    if (field.type === "checkbox") field.checked = value as boolean;
    else field.value = Array.isArray(value) ? value.join(", ") : String(value);
  }
}

// ---------- the block ----------

function showError(error: unknown, where: string): void {
  const e = error instanceof LayerError ? error.error : (error as Error);
  const message = e instanceof Error ? e.message : String(e);
  status.error = message;
  const box = $("error");
  box.hidden = false;
  box.replaceChildren();
  const head = document.createElement("div");
  head.className = "error-where";
  head.textContent = error instanceof LayerError ? `${error.layer}.forward threw` : `${where} threw`;
  const text = document.createElement("pre");
  text.textContent = e instanceof Error && e.name !== "Error" ? `${e.name}: ${message}` : message;
  box.append(head, text);
}

function clearError(): void {
  status.error = null;
  $("error").hidden = true;
}

/** Rebuilds the block from the controls and the seed, loads the file's weights if any, runs it. */
function rebuild(): void {
  const args = readConvArgs();
  $("conv-call").textContent = convCall(args);
  showFormula(args);
  let block: nn.Sequential;
  try {
    block = buildStem(args, Number($<HTMLInputElement>("seed").value) || 0);
  } catch (error) {
    showError(error, convCall(args));
    markStale();
    return finish();
  }
  state.block?.dispose();
  state.block = block;
  let note = "";
  if (state.weights !== null) {
    try {
      const skipped = applyStemWeights(block, state.weights);
      note = skipped.length ? ` Not loaded (seeded values kept): ${skipped.join("; ")}.` : "";
    } catch (error) {
      note = ` Could not load: ${(error as Error).message}`;
    }
  }
  showWeightsStatus(note);
  const conv = block.named_children()[0][1] as nn.Conv2d;
  state.convWeight = { data: conv.weight.data() as Float32Array, shape: [...conv.weight.shape] };
  run();
}

/** Runs the current block on the current input and redraws the table and the grid. */
function run(): void {
  if (state.block === null || state.input === null) return finish();
  try {
    state.outputs = runStem(state.block, state.input);
    clearError();
    state.stale = false;
  } catch (error) {
    showError(error, "forward");
    markStale();
    return finish();
  }
  $("time-head").textContent = "time (ms)";
  renderTable();
  renderMeasured();
  renderGrid();
  finish();
}

function finish(): void {
  const m = memory();
  $("memory").textContent = `Wasm memory ${(m.wasmBytes / 2 ** 20).toFixed(0)} MiB · ${m.liveTensors} live tensors (${(m.liveBytes / 2 ** 20).toFixed(1)} MiB)`;
  status.runs++;
}

function markStale(): void {
  state.stale = true;
  $("size-measured").textContent = "—";
  $("size-match").textContent = "";
  $("maps-card").classList.add("stale");
  $("layers-card").classList.add("stale");
  $("maps-caption").textContent = "The arguments above are invalid: showing the last valid configuration.";
}

// ---------- rendering ----------

function showFormula(args: ConvArgs): void {
  const f = convSizeFormula(args, INPUT_HEIGHT, INPUT_WIDTH);
  const lines = $("formula-lines");
  lines.replaceChildren(...(f?.lines ?? ["(the formula needs integer sizes)"]).map((text) => {
    const div = document.createElement("div");
    div.textContent = text;
    return div;
  }));
  $("size-formula").textContent = f ? `${f.height}×${f.width}` : "—";
}

function renderMeasured(): void {
  const [, , h, w] = state.outputs[0].shape;
  const measured = `${h}×${w}`;
  $("size-measured").textContent = measured;
  const agrees = measured === $("size-formula").textContent;
  const match = $("size-match");
  match.textContent = agrees ? "✓ agree" : "✗ differ";
  match.className = agrees ? "ok" : "bad";
}

function renderTable(): void {
  const body = document.querySelector<HTMLTableSectionElement>("#layers tbody")!;
  const rows: HTMLTableRowElement[] = [];
  const cell = (text: string, className = "") => {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  };
  const inputRow = document.createElement("tr");
  inputRow.className = "input-row";
  inputRow.append(cell("input"), cell(`[1, 3, ${INPUT_HEIGHT}, ${INPUT_WIDTH}]`), cell("", "num"), cell("", "num"));
  rows.push(inputRow);
  state.outputs.forEach((out, i) => {
    const tr = document.createElement("tr");
    tr.dataset.layer = String(i);
    tr.tabIndex = 0;
    tr.title = "show this layer's feature maps";
    if (i === state.layer) tr.classList.add("selected");
    const repr = cell("", "repr");
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = `(${i}) `;
    const code = document.createElement("code");
    code.textContent = out.repr;
    repr.append(label, code);
    tr.append(repr, cell(`[${out.shape.join(", ")}]`, "shape"), cell(out.paramsFormula, "num"), cell(out.ms.toFixed(1), "num time"));
    rows.push(tr);
  });
  body.replaceChildren(...rows);
  $("params-total").textContent = String(state.outputs.reduce((n, o) => n + o.params, 0));
  $("time-total").textContent = state.outputs.reduce((n, o) => n + o.ms, 0).toFixed(1);
  $("layers-card").classList.remove("stale");
}

function renderGrid(): void {
  const out = state.outputs[state.layer];
  if (out === undefined) return;
  const [, channels, h, w] = out.shape;
  const grid = $("grid");
  while (grid.children.length < channels) {
    const index = grid.children.length;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "map";
    button.dataset.channel = String(index);
    button.setAttribute("aria-label", `channel ${index}`);
    const canvas = document.createElement("canvas");
    const label = document.createElement("span");
    label.textContent = String(index);
    button.append(canvas, label);
    grid.append(button);
  }
  while (grid.children.length > channels) grid.lastElementChild!.remove();
  let constant = 0;
  for (let c = 0; c < channels; c++) {
    const button = grid.children[c] as HTMLButtonElement;
    const stats = drawChannel(button.querySelector("canvas")!, out.data, c, h, w);
    const flat = stats.max === stats.min;
    if (flat) constant++;
    button.classList.toggle("flat", flat);
    button.title = `channel ${c}: ${formatValue(stats.min)} … ${formatValue(stats.max)}`;
  }
  grid.style.setProperty("--aspect", `${w} / ${h}`);
  $("maps-card").classList.remove("stale");
  $("maps-caption").textContent = `${channels} maps of ${h}×${w} after ${out.label}, each scaled to its own min…max (black…white)` +
    `${constant ? `; ${constant} constant (grey)` : ""}. Tap one to enlarge.`;
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="layer"]')) input.checked = Number(input.value) === state.layer;
  for (const row of document.querySelectorAll("#layers tbody tr[data-layer]")) row.classList.toggle("selected", Number((row as HTMLElement).dataset.layer) === state.layer);
  if ($<HTMLDialogElement>("zoom").open) renderZoom();
}

function renderZoom(): void {
  const out = state.outputs[state.layer];
  if (out === undefined) return;
  const [, channels, h, w] = out.shape;
  const c = Math.min(Math.max(state.zoomChannel, 0), channels - 1);
  state.zoomChannel = c;
  const stats = drawChannel($<HTMLCanvasElement>("zoom-canvas"), out.data, c, h, w);
  $("zoom-title").textContent = `channel ${c} after ${out.label}`;
  $("zoom-min").textContent = formatValue(stats.min);
  $("zoom-max").textContent = formatValue(stats.max);
  $("zoom-stats").textContent = `${h}×${w} · min ${formatValue(stats.min)} · max ${formatValue(stats.max)} · mean ${formatValue(stats.mean)}`;
  const hasFilter = state.convWeight !== null && c < state.convWeight.shape[0] &&
    drawFilter($<HTMLCanvasElement>("zoom-filter"), state.convWeight.data, state.convWeight.shape, c);
  $("zoom-filter-box").hidden = !hasFilter;
}

function openZoom(channel: number): void {
  state.zoomChannel = channel;
  renderZoom();
  const dialog = $<HTMLDialogElement>("zoom");
  if (!dialog.open) dialog.showModal();
}

// ---------- image and weights ----------

function setInputFromCanvas(): void {
  state.input?.dispose();
  state.input = tensor(canvasToNCHW($<HTMLCanvasElement>("input")), [1, 3, INPUT_HEIGHT, INPUT_WIDTH]);
  run();
}

async function loadImageFile(file: File): Promise<void> {
  try {
    const bitmap = await createImageBitmap(file);
    drawCover($<HTMLCanvasElement>("input"), bitmap, bitmap.width, bitmap.height);
    $("image-status").textContent = `${file.name}: ${bitmap.width}×${bitmap.height}, centre-cropped and resized to 228×304 (W×H) → tensor [1, 3, 304, 228], normalised with ImageNet's mean and std.`;
    bitmap.close();
    setInputFromCanvas();
    // the classifier sees the file's own pixels (torchvision's Resize and CenterCrop do the rest)
    const { data, width, height } = await imageData(file);
    setClassifyImage({ data, width, height, source: file.name });
  } catch {
    $("image-status").textContent = `${file.name}: not an image this browser can decode.`;
  }
}

function showWeightsStatus(note = ""): void {
  const seed = Number($<HTMLInputElement>("seed").value) || 0;
  const w = state.weights;
  $("weights-status").textContent = w === null
    ? `Seeded: manual_seed(${seed}), then PyTorch's default initialisation (kaiming-uniform conv; BatchNorm weight 1, bias 0, running mean 0, var 1).${note}`
    : `${w.source}: ${w.mapping.length} of ${w.totalInFile} tensors recognised — ${w.mapping.map(([from, to]) => (from === to ? to : `${from} → ${to}`)).join(", ")}.${note}`;
}

async function loadWeightsFile(file: File): Promise<void> {
  try {
    state.weights = readStemWeights(new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (error) {
    state.weights = null;
    rebuild();
    $("weights-status").textContent = `${file.name}: ${(error as Error).message}`;
    return;
  }
  rebuild();
}

function saveWeights(): void {
  if (state.block === null) return;
  const bytes = safetensors.save(state.block.state_dict());
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "application/octet-stream" }));
  link.download = "stem.safetensors";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// ---------- wiring ----------

function debounce(fn: () => void, ms: number): () => void {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
}

function wire(): void {
  const rebuildSoon = debounce(rebuild, 250);
  const form = $<HTMLFormElement>("conv");
  form.addEventListener("input", rebuildSoon);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    rebuild();
  });
  $("reset-conv").addEventListener("click", () => {
    writeConvArgs(SEED_CONV);
    rebuild();
  });
  $("seed").addEventListener("input", debounce(rebuild, 250));

  $<HTMLInputElement>("image-file").addEventListener("change", (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) void loadImageFile(file);
  });
  $("default-image").addEventListener("click", () => {
    drawDefaultImage($<HTMLCanvasElement>("input"));
    $("image-status").textContent = "Drawn in the page, 228×304 (W×H) → tensor [1, 3, 304, 228], normalised with ImageNet's mean and std.";
    setInputFromCanvas();
    setClassifyImage(canvasImage("the default image"));
  });
  // drop anywhere on the page; the image card lights up
  const drop = $("drop");
  let depth = 0;
  document.addEventListener("dragenter", (event) => {
    event.preventDefault();
    if (++depth === 1) drop.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => {
    if (--depth === 0) drop.classList.remove("dragging");
  });
  document.addEventListener("dragover", (event) => event.preventDefault());
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    drop.classList.remove("dragging");
    const file = [...(event.dataTransfer?.files ?? [])][0];
    if (file === undefined) return;
    // a checkpoint dropped on the classify panel (or a torch.save file anywhere) is the classifier's
    const onClassify = (event.target as Element | null)?.closest?.("#classify-card") != null;
    if (classifier !== null && (onClassify || /\.(pt|pth)$/i.test(file.name))) void classifier.setCheckpoint(file);
    else if (file.name.endsWith(".safetensors")) void loadWeightsFile(file);
    else void loadImageFile(file);
  });
  document.addEventListener("paste", (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith("image/"));
    if (file) void loadImageFile(file);
  });

  $<HTMLInputElement>("weights-file").addEventListener("change", (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) void loadWeightsFile(file);
    (event.target as HTMLInputElement).value = "";
  });
  $("weights-seeded").addEventListener("click", () => {
    state.weights = null;
    rebuild();
  });
  $("weights-save").addEventListener("click", saveWeights);

  $("benchmark").addEventListener("click", () => {
    if (state.block === null || state.input === null || state.stale) return;
    const medians = benchmarkStem(state.block, state.input, 10);
    $("time-head").textContent = "time (ms, median of 10)";
    document.querySelectorAll("#layers tbody td.time").forEach((td, i) => (td.textContent = medians[i].toFixed(2)));
    $("time-total").textContent = medians.reduce((a, b) => a + b, 0).toFixed(2);
    finish();
  });

  const selectLayer = (layer: number) => {
    state.layer = layer;
    renderGrid();
  };
  $("layer-choice").addEventListener("change", (event) => selectLayer(Number((event.target as HTMLInputElement).value)));
  document.querySelector("#layers tbody")!.addEventListener("click", (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>("tr[data-layer]");
    if (row) selectLayer(Number(row.dataset.layer));
  });
  document.querySelector("#layers tbody")!.addEventListener("keydown", (event) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>("tr[data-layer]");
    if (row && ((event as KeyboardEvent).key === "Enter" || (event as KeyboardEvent).key === " ")) {
      event.preventDefault();
      selectLayer(Number(row.dataset.layer));
    }
  });
  $("grid").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("button.map");
    if (button) openZoom(Number(button.dataset.channel));
  });

  const zoom = $<HTMLDialogElement>("zoom");
  const step = (delta: number) => {
    const channels = state.outputs[state.layer]?.shape[1] ?? OUT_CHANNELS;
    state.zoomChannel = (state.zoomChannel + delta + channels) % channels;
    renderZoom();
  };
  $("zoom-prev").addEventListener("click", () => step(-1));
  $("zoom-next").addEventListener("click", () => step(1));
  zoom.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") step(-1);
    if (event.key === "ArrowRight") step(1);
  });
  zoom.addEventListener("click", (event) => {
    if (event.target === zoom) zoom.close(); // a click on the backdrop
  });
  const zoomCanvas = $<HTMLCanvasElement>("zoom-canvas");
  zoomCanvas.addEventListener("pointermove", (event) => {
    const out = state.outputs[state.layer];
    if (out === undefined) return;
    const [, , h, w] = out.shape;
    const rect = zoomCanvas.getBoundingClientRect();
    const x = Math.min(w - 1, Math.floor(((event.clientX - rect.left) / rect.width) * w));
    const y = Math.min(h - 1, Math.floor(((event.clientY - rect.top) / rect.height) * h));
    if (x < 0 || y < 0) return;
    $("zoom-pixel").textContent = `[${y}, ${x}] = ${formatValue(out.data[state.zoomChannel * h * w + y * w + x])}`;
  });
}

async function main(): Promise<void> {
  wire();
  drawDefaultImage($<HTMLCanvasElement>("input"));
  writeConvArgs(SEED_CONV);
  await init();
  state.input = tensor(canvasToNCHW($<HTMLCanvasElement>("input")), [1, 3, INPUT_HEIGHT, INPUT_WIDTH]);
  classifier = new ClassifyPanel();
  status.classify = classifier.status;
  if (currentImage === null) currentImage = canvasImage("the default image"); // an image file may have been dropped during init()
  void classifier.setImage(currentImage);
  rebuild();
}

main().catch((error) => {
  showError(error, "init()");
  status.runs++;
  throw error;
});
