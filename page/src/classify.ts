// The classify panel: a wasmnn/vision model with a torchvision checkpoint (.safetensors, .pt, .pth) gives the
// top-5 ImageNet classes of the page's current image. The steps (torchvision's ImageNet eval
// preprocessing, a strict load_state_dict, softmax top-k) are examples/browser/classify.mjs's,
// shared with examples/browser/classify.html.

import { memory, type nn } from "wasmnn";
import { loadClassifier, topk, type ImageNetClass } from "../../examples/browser/classify.mjs";

/** Builders that fit a browser tab (≤ ~100 MB of float32 weights); resnet18 first, the default. */
export const CLASSIFY_MODELS = [
  "resnet18", "resnet34", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
  "squeezenet1_0", "squeezenet1_1", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "efficientnet_b0", "efficientnet_b1",
  "convnext_tiny", "regnet_x_400mf", "regnet_y_400mf",
];

export interface ClassifyImage { data: Uint8ClampedArray; width: number; height: number; source: string }

/** What the panel shows and the test (tests/runtimes/page.mjs) reads: runs counts finished updates. */
export interface ClassifyStatus {
  runs: number;
  error: string | null;
  top5: ImageNetClass[] | null;
  liveTensors: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export class ClassifyPanel {
  private model: nn.Module | null = null;
  /** the checkpoint file picked or dropped, kept to reload it into another model */
  private checkpoint: File | null = null;
  private image: ClassifyImage | null = null;
  /** bumped by every update; a slower earlier one that finishes late is dropped */
  private generation = 0;
  readonly status: ClassifyStatus = { runs: 0, error: null, top5: null, liveTensors: 0 };

  constructor() {
    const select = $<HTMLSelectElement>("classify-model");
    select.replaceChildren(...CLASSIFY_MODELS.map((name) => new Option(name, name)));
    select.addEventListener("change", () => void this.reload());
    $<HTMLInputElement>("classify-file").addEventListener("change", (event) => {
      const input = event.target as HTMLInputElement;
      const file = input.files?.[0];
      input.value = "";
      if (file) void this.setCheckpoint(file);
    });
    this.show();
  }

  /** A new checkpoint file (from the picker or a drop on the panel). */
  async setCheckpoint(file: File): Promise<void> {
    this.checkpoint = file;
    await this.reload();
  }

  /** The page's image changed. */
  async setImage(image: ClassifyImage): Promise<void> {
    this.image = image;
    if (this.model === null) return this.show();
    const generation = ++this.generation;
    await this.classify(generation);
  }

  /** (Re)builds the selected model with the checkpoint, disposing the previous model first. */
  private async reload(): Promise<void> {
    const generation = ++this.generation;
    this.model?.dispose();
    this.model = null;
    this.status.top5 = null;
    this.status.error = null;
    const file = this.checkpoint;
    const name = $<HTMLSelectElement>("classify-model").value;
    if (file === null) return this.show();
    if (!/\.(safetensors|pt|pth)$/i.test(file.name)) {
      this.status.error = `${file.name}: not a .safetensors, .pt or .pth file.`;
      return this.show();
    }
    this.show(`loading ${file.name} into ${name}…`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    await nextFrame(); // let "loading…" paint before the main thread is busy
    if (generation !== this.generation) return;
    try {
      this.model = loadClassifier(name, bytes);
    } catch (error) {
      this.status.error = (error as Error).message;
      return this.show();
    }
    await this.classify(generation);
  }

  private async classify(generation: number): Promise<void> {
    if (this.model === null || this.image === null) return this.show();
    this.show("classifying…");
    await nextFrame();
    if (generation !== this.generation || this.model === null) return;
    const start = performance.now();
    try {
      this.status.top5 = topk(this.model, this.image, 5);
      this.status.error = null;
    } catch (error) {
      this.status.top5 = null;
      this.status.error = (error as Error).message;
    }
    this.show(undefined, performance.now() - start);
  }

  /** Renders the status, the error or the top-5; counts a finished update unless `busy` says one is under way. */
  private show(busy?: string, ms?: number): void {
    const { error, top5 } = this.status;
    const name = $<HTMLSelectElement>("classify-model").value;
    const box = $("classify-error");
    box.hidden = error === null;
    $("classify-error-text").textContent = error ?? "";
    const list = $("classify-top5");
    list.hidden = top5 === null || busy !== undefined;
    if (top5 !== null) {
      list.replaceChildren(...top5.map(({ probability, name: label, index }) => {
        const item = document.createElement("li");
        item.title = `class ${index}`;
        const bar = document.createElement("span");
        bar.className = "bar";
        bar.style.setProperty("--p", String(probability));
        const percent = document.createElement("span");
        percent.className = "pct";
        percent.textContent = `${(probability * 100).toFixed(2)}%`;
        const text = document.createElement("span");
        text.className = "name";
        text.textContent = label;
        item.append(bar, percent, text);
        return item;
      }));
    }
    const file = this.checkpoint?.name;
    const where = this.image === null ? "" : ` · ${this.image.source}, ${this.image.width}×${this.image.height}`;
    $("classify-status").textContent = busy
      ?? (error !== null ? `${name}: could not classify.`
        : file === undefined ? `Pick ${name}'s checkpoint to classify the image.`
          : top5 === null ? `${name} with ${file}: waiting for an image.`
            : `${name} with ${file}${where} · ${ms === undefined ? "" : `${ms.toFixed(0)} ms`}`);
    if (busy !== undefined) return;
    this.status.liveTensors = memory().liveTensors;
    this.status.runs++;
  }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
