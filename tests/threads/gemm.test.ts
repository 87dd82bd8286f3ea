import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/gemm.ts", import.meta.url), () => import("./cases/gemm.js"));
