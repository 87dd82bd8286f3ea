import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/elementwise.ts", import.meta.url), () => import("./cases/elementwise.js"));
