// Shared bookkeeping for the runtime suites: named checks printed as they pass or fail, and the
// { name, passed, failed, skipped } result tests/run.mjs adds up.

export function makeChecks(name) {
  const results = [];
  const check = (label, ok, detail = "") => {
    results.push(Boolean(ok));
    console.log(`  ${ok ? "✓" : "✗"} ${name}: ${label}${detail ? ` (${detail})` : ""}`);
  };
  const result = () => {
    const passed = results.filter(Boolean).length;
    return { name, passed, failed: results.length - passed, skipped: 0 };
  };
  return { check, result };
}
