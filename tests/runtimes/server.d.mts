import type { Server } from "node:http";
export declare function serve(root: string, port?: number): Promise<Server>;
