// A bench child process that prints one JSON line last (cold-start.ts's fresh engines, cores.ts's
// pinned vCPU runs): resolves with that line parsed and the process's wall time, or rejects with the
// exit code and the child's last output lines.
import { spawn, type SpawnOptions } from "node:child_process";

export function runJsonChild<T>(command: string, args: string[], options: SpawnOptions = {}): Promise<{ json: T; processMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const processMs = performance.now() - start;
      const line = out.trim().split("\n").reverse().find((l) => l.startsWith("{"));
      if (code !== 0 || !line) return reject(new Error(`exit ${code}: ${(err || out).trim().split("\n").slice(-3).join(" | ")}`));
      resolve({ json: JSON.parse(line) as T, processMs });
    });
  });
}
