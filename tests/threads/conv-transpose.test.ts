import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/conv-transpose.ts", import.meta.url), () => import("./cases/conv-transpose.js"));
