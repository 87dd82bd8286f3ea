import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/resample.ts", import.meta.url), () => import("./cases/resample.js"));
