import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/pool.ts", import.meta.url), () => import("./cases/pool.js"));
