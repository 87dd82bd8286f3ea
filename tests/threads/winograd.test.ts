import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/winograd.ts", import.meta.url), () => import("./cases/winograd.js"));
