import type { nn, Tensor } from "wasmnn";
import type { transforms } from "wasmnn/vision";

export declare const preprocess: transforms.Compose;
export declare function imageData(blob: Blob): Promise<ImageData>;
export declare function readCheckpoint(bytes: Uint8Array): { state: Record<string, Tensor>; tensors: Tensor[] };
export declare function loadClassifier(name: string, bytes: Uint8Array): nn.Module;
export interface ImageNetClass { probability: number; index: number; name: string }
export declare function topk(model: nn.Module, image: { data: Uint8ClampedArray | Uint8Array; width: number; height: number }, k?: number): ImageNetClass[];
export declare function formatClass(c: ImageNetClass): string;
