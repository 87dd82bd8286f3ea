import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/activation.ts", import.meta.url), () => import("./cases/activation.js"));
