// README's "wasmnn/vision" section lists the builders: each exists, and every builder with a model
// fixture is listed. (tests/readme.test.ts runs its code example.)
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { models } from "wasmnn/vision";
import { fixtureNames, readFixture } from "./weights.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

function listed(): { classification: string[]; segmentation: string[] } {
  const section = readme.slice(readme.indexOf("## wasmnn/vision"), readme.indexOf("## Modules"));
  const lines = section.split("\n").filter((line) => line.startsWith("- "));
  const names = (line: string) => {
    const found = [...line.matchAll(/`(\w+)`/g)].map((m) => m[1]);
    // "`efficientnet_b0` … `efficientnet_b7`" spells a range
    const range = /`efficientnet_b(\d)` … `efficientnet_b(\d)`/.exec(line);
    if (range) for (let i = Number(range[1]) + 1; i < Number(range[2]); i++) found.push(`efficientnet_b${i}`);
    return found;
  };
  return {
    classification: lines.filter((l) => !l.startsWith("- Segmentation")).flatMap(names).sort(),
    segmentation: lines.filter((l) => l.startsWith("- Segmentation")).flatMap(names).sort(),
  };
}

const isFunction = (namespace: object, name: string) => typeof (namespace as Record<string, unknown>)[name] === "function";

test("every builder README lists exists (models.<name>, models.segmentation.<name>)", () => {
  const { classification, segmentation } = listed();
  expect(classification.filter((name) => !isFunction(models, name)), "listed but not exported").toEqual([]);
  expect(segmentation.filter((name) => !isFunction(models.segmentation, name)), "listed but not exported").toEqual([]);
});

test("README lists every builder that has a model fixture (every tested builder)", () => {
  const { classification, segmentation } = listed();
  const tested = fixtureNames().map((name) => readFixture(name));
  const missing = tested.filter((f) => !(f.family === "segmentation" ? segmentation : classification).includes(f.builder)).map((f) => f.builder);
  expect([...new Set(missing)]).toEqual([]);
});
