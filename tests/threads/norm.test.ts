import { threadMatrix } from "./matrix.js";

threadMatrix(new URL("./cases/norm.ts", import.meta.url), () => import("./cases/norm.js"));
