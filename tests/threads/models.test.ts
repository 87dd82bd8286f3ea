import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/models.ts", import.meta.url), () => import("./cases/models.js"));
