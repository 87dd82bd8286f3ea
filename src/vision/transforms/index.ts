// torchvision.transforms (v0.14): the tensor transforms a classification pipeline needs, on
// wasmnn tensors and ImageData-like images (see ./functional.ts for how each image kind is read).
//
//   import { transforms } from "wasmnn/vision";
//   const preprocess = transforms.Compose([
//     transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
//     transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
//   ]);
//   const x = preprocess(imageData);                        // float32 [3, 224, 224]
//
// Choices where JavaScript differs from Python (each also said where it is implemented):
// - Every class can be constructed with or without `new` (Python has no `new`), and every instance
//   is a function: `t(img)` is `t.forward(img)`; `String(t)` is torchvision's repr.
// - Images are tensors [..., C, H, W] or ImageData-like `{ data, width, height }` (1, 3 or 4 bytes a
//   pixel), the latter in the role of PIL images: read as `.convert("RGB")` (alpha dropped), and
//   Resize / CenterCrop on them compute what Pillow computes (always antialiased, as torchvision
//   on PIL images), returning ImageData-like RGB images.
// - wasmnn has float32 and int64 only: an int64 image tensor is torchvision's uint8 image.
//   PILToTensor returns int64; ConvertImageDtype("float32") divides it by 255; "uint8" (or
//   "int64") converts float32 back as torchvision's float -> uint8 does; Resize rounds it half to
//   even and clamps bicubic to [0, 255].
// - InterpolationMode's members are their strings ("nearest", "bilinear", "bicubic"; and for
//   images Pillow's "box", "hamming", "lanczos"); torchvision's deprecated integer codes are
//   accepted without its warning. antialias=null is false for tensors (torchvision 0.14).
import * as classes from "./transforms.js";

export * as functional from "./functional.js";
export { InterpolationMode, type Image, type ImageLike, type ImageDType } from "./functional.js";
export { Transform } from "./transforms.js";

type Pythonic<C extends abstract new (...args: any) => any> = C & ((...args: ConstructorParameters<C>) => InstanceType<C>);   // eslint-disable-line @typescript-eslint/no-explicit-any

/** The class, also callable without `new` (torchvision's `Compose([...])` spelling). */
function pythonic<C extends new (...args: any) => any>(cls: C): Pythonic<C> {   // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Proxy(cls, { apply: (target, _this, args) => Reflect.construct(target, args) }) as Pythonic<C>;
}

export const Compose = pythonic(classes.Compose);
export type Compose = classes.Compose;
export const ToTensor = pythonic(classes.ToTensor);
export type ToTensor = classes.ToTensor;
export const PILToTensor = pythonic(classes.PILToTensor);
export type PILToTensor = classes.PILToTensor;
export const ConvertImageDtype = pythonic(classes.ConvertImageDtype);
export type ConvertImageDtype = classes.ConvertImageDtype;
export const Resize = pythonic(classes.Resize);
export type Resize = classes.Resize;
export const CenterCrop = pythonic(classes.CenterCrop);
export type CenterCrop = classes.CenterCrop;
export const Normalize = pythonic(classes.Normalize);
export type Normalize = classes.Normalize;
