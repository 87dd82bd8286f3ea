import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/shape.ts", import.meta.url), () => import("./cases/shape.js"));
