// torchvision.transforms' classes (v0.14): each is callable as in Python, `t(img)`, and also has
// `forward(img)` (torchvision's nn.Module transforms have both). Construct them with or without
// `new` (index.ts wraps each class), so torchvision's spelling ports unchanged:
//
//   const preprocess = transforms.Compose([
//     transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
//     transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
//   ]);
//   const batch = preprocess(imageData).unsqueeze(0);     // [1, 3, 224, 224]
//
// Reprs are torchvision's; JS arrays print as Python tuples, except Normalize's mean and std, which
// print as lists (torchvision's examples pass lists there, and its repr shows what was passed).
import { tidy, type Tensor } from "../../core.js";
import { pyRepr } from "../../args.js";
import * as F from "./functional.js";
import type { Image, ImageDType, ImageLike, InterpolationMode } from "./functional.js";

// The instances are functions: calling one runs its forward.
export interface Transform {
  (input: any): any;   // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The base of every transform: the constructor returns a function whose prototype is the class's. */
export abstract class Transform {
  constructor() {
    const callable = (input: unknown): unknown => (callable as unknown as Transform).forward(input);
    Object.setPrototypeOf(callable, new.target.prototype);
    return callable as unknown as Transform;
  }

  abstract forward(input: any): any;   // eslint-disable-line @typescript-eslint/no-explicit-any

  /** The arguments part of the repr, e.g. `size=(224, 224)`. */
  extra_repr(): string { return ""; }

  toString(): string { return `${this.constructor.name}(${this.extra_repr()})`; }

  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

/**
 * Compose(transforms): applies each transform in turn (torchvision.transforms.Compose). The
 * intermediate tensors are freed; the input is not.
 */
export class Compose extends Transform {
  transforms: ((input: any) => any)[];   // eslint-disable-line @typescript-eslint/no-explicit-any

  constructor(transforms: ((input: any) => any)[]) {   // eslint-disable-line @typescript-eslint/no-explicit-any
    super();
    if (!Array.isArray(transforms)) throw new TypeError("Compose() takes a list of transforms");
    this.transforms = transforms;
  }

  forward(img: unknown): any {   // eslint-disable-line @typescript-eslint/no-explicit-any
    const run = () => {
      let current = img;
      for (const t of this.transforms) current = t(current);
      return current;
    };
    // tidy frees the tensors made along the way; a non-tensor result is returned as is
    return tidy(run as () => Tensor);
  }

  override toString(): string {
    let text = `${this.constructor.name}(`;
    // a plain function prints as Python prints one, not as its source
    for (const t of this.transforms) text += `\n    ${t instanceof Transform ? String(t) : `<function ${t.name || "<lambda>"}>`}`;
    return `${text}\n)`;
  }
}

/**
 * ToTensor(): an ImageData-like image (RGBA read as RGB) or an [H, W, C] uint8-valued (int64)
 * tensor to a float32 [C, H, W] tensor in [0, 1] (torchvision.transforms.ToTensor).
 */
export class ToTensor extends Transform {
  forward(pic: Image): Tensor { return F.to_tensor(pic); }
}

/** PILToTensor(): an ImageData-like image to its bytes as an int64 [C, H, W] tensor (torchvision's uint8). */
export class PILToTensor extends Transform {
  forward(pic: ImageLike): Tensor { return F.pil_to_tensor(pic); }
}

/** ConvertImageDtype(dtype): int64 (uint8-valued) <-> float32 images, scaled by 255. */
export class ConvertImageDtype extends Transform {
  dtype: ImageDType;

  constructor(dtype: ImageDType) {
    super();
    this.dtype = dtype;
  }

  forward(image: Tensor): Tensor { return F.convert_image_dtype(image, this.dtype); }
}

/**
 * Resize(size, interpolation="bilinear", max_size=null, antialias=null)
 * (torchvision.transforms.Resize): an int resizes the shorter edge to `size` (the longer one
 * scaled and truncated, capped by max_size); [h, w] is the exact output. See functional.resize.
 */
export class Resize extends Transform {
  size: number | number[];
  max_size: number | null;
  interpolation: InterpolationMode;
  antialias: boolean | null;

  constructor(size: number | number[], interpolation: InterpolationMode | F.ResizeOptions = "bilinear", max_size: number | null = null,
    antialias: boolean | null = null) {
    super();
    if (typeof interpolation === "object" && interpolation !== null) {
      const options = interpolation;
      for (const key of Object.keys(options)) {
        if (!["interpolation", "max_size", "antialias"].includes(key)) throw new TypeError(`Resize() got an unexpected keyword argument '${key}'`);
      }
      interpolation = options.interpolation ?? "bilinear";
      max_size = options.max_size ?? null;
      antialias = options.antialias ?? null;
    }
    if (typeof size !== "number" && !Array.isArray(size)) throw new TypeError(`Size should be int or sequence. Got ${typeof size}`);
    if (Array.isArray(size) && size.length !== 1 && size.length !== 2) throw new Error("If size is a sequence, it should have 1 or 2 values");
    this.size = size;
    this.max_size = max_size;
    this.interpolation = F.interpolationOf(interpolation);
    this.antialias = antialias;
  }

  forward(img: Image): Image { return F.resize(img, this.size, this.interpolation, this.max_size, this.antialias); }

  override extra_repr(): string {
    return `size=${pyRepr(this.size)}, interpolation=${this.interpolation}, max_size=${pyRepr(this.max_size)}, antialias=${pyRepr(this.antialias)}`;
  }
}

/** CenterCrop(size) (torchvision.transforms.CenterCrop): zero-padded where the image is smaller. */
export class CenterCrop extends Transform {
  size: [number, number];

  constructor(size: number | number[]) {
    super();
    this.size = F.cropSize(size);
  }

  forward(img: Image): Image { return F.center_crop(img, this.size); }

  override extra_repr(): string { return `size=${pyRepr(this.size)}`; }
}

/** Normalize(mean, std, inplace=false) (torchvision.transforms.Normalize): (x - mean[c]) / std[c]. */
export class Normalize extends Transform {
  mean: number[];
  std: number[];
  inplace: boolean;

  constructor(mean: number[], std: number[], inplace = false) {
    super();
    this.mean = mean;
    this.std = std;
    this.inplace = inplace;
  }

  forward(tensor: Tensor): Tensor { return F.normalize(tensor, this.mean, this.std, this.inplace); }

  override toString(): string {
    const list = (values: number[]) => `[${values.map((v) => (Number.isInteger(v) ? `${v}.0` : String(v))).join(", ")}]`;
    return `${this.constructor.name}(mean=${list(this.mean)}, std=${list(this.std)})`;
  }
}
