// Browsers' and Deno's pool threads: module Workers started from a Blob URL.
import type { ThreadSupport } from "../runtime.js";

/** Whether this thread may block in Atomics.wait: a page's main thread may not (it throws there). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Threads where SharedArrayBuffer and Worker exist and the page (if any) is cross-origin isolated. */
export async function webThreads(): Promise<ThreadSupport | string> {
  const scope = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  if (typeof SharedArrayBuffer === "undefined") {
    return "SharedArrayBuffer is unavailable (a page needs Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  // Deno leaves crossOriginIsolated undefined: only an explicit false means a non-isolated page
  if (scope.crossOriginIsolated === false) {
    return "the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  if (typeof scope.Worker !== "function") return "this runtime has no Worker";
  const WorkerClass = scope.Worker as new (url: string, options: { type: "module" }) => {
    postMessage(message: unknown): void; terminate(): void; addEventListener(type: string, listener: (event: any) => void): void;
  };
  return {
    cores: scope.navigator?.hardwareConcurrency ?? 1,
    canBlock: canBlock(),
    spawn: (source) => {
      const url = URL.createObjectURL(new Blob([source.web], { type: "text/javascript" }));
      const worker = new WorkerClass(url, { type: "module" });
      return {
        postMessage: (message) => worker.postMessage(message),
        onMessage: (listener) => {
          worker.addEventListener("message", (event) => listener(event.data));
          worker.addEventListener("error", (event) => listener({ failed: event.message ?? "the worker failed to load" }));
        },
        terminate: () => {
          worker.terminate();
          URL.revokeObjectURL(url);
        },
      };
    },
  };
}
