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
// Every class can be constructed with or without `new` (Python has no `new`), and every instance
// is a function: `t(img)` is `t.forward(img)`.
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
