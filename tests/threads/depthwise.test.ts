import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/depthwise.ts", import.meta.url), () => import("./cases/depthwise.js"));
