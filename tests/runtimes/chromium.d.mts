import type { Browser } from "playwright-core";
export declare const CHROMIUM_FLAGS: string[];
export declare function findChromium(): string | null;
export declare function chromiumSuite(root: string, name: string, body: (browser: Browser, origin: string, check: (name: string, ok: boolean, detail?: string) => void) => Promise<void>, label?: string): Promise<{ name: string; passed: number; failed: number; skipped: number; note?: string }>;
export declare function runChromium(root: string): Promise<{ name: string; passed: number; failed: number; skipped: number; note?: string }>;
