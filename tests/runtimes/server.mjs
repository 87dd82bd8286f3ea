// A small static server for the repository on 127.0.0.1 (a free port), with .wasm served as
// application/wasm and COOP/COEP headers so pages are cross-origin isolated (threads), except with ?isolated=0.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".json": "application/json", ".wasm": "application/wasm", ".png": "image/png", ".svg": "image/svg+xml",
  ".safetensors": "application/octet-stream",
};

export function serve(root, port = 0) {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, "http://x");
    const path = normalize(decodeURIComponent(url.pathname));
    // ?isolated=0: a page without COOP/COEP (not cross-origin isolated: no SharedArrayBuffer, one thread)
    const isolation = url.searchParams.get("isolated") === "0" ? {} : {
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    };
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(normalize(root))) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        ...isolation,
        "cache-control": "no-store",
      });
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}
