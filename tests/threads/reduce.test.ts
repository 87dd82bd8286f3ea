import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/reduce.ts", import.meta.url), () => import("./cases/reduce.js"));
