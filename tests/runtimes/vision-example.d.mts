export declare const VISION_IMAGE: string;
export declare const VISION_MODEL: string;
export declare function visionCheckpoint(root: string): string;
export declare function checkTop5(root: string, text: string, model?: string): { ok: boolean; detail: string };
