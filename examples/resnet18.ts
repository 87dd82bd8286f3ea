// torchvision's ResNet-18, ported line by line (torchvision/models/resnet.py, v0.14): the same
// module tree and attribute names, so a torchvision state_dict saved as safetensors loads with
// strict=true. `widths` scales the stages (torchvision: 64, 128, 256, 512) for small tests.
//
//   import { resnet18 } from "./examples/resnet18.js";
//   const model = resnet18().eval();
//   model.load_state_dict(safetensors.load(bytes));
//   const logits = model.forward(image);   // [1, 3, 224, 224] -> [1, 1000]
import { nn, F, type Tensor } from "wasmnn";

/** conv3x3 / conv1x1 as torchvision's helpers */
const conv3x3 = (inPlanes: number, outPlanes: number, stride = 1) =>
  new nn.Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
const conv1x1 = (inPlanes: number, outPlanes: number, stride = 1) =>
  new nn.Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });

export class BasicBlock extends nn.Module {
  static readonly expansion = 1;
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d | nn.Identity;
  relu = new nn.ReLU(true);
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d | nn.Identity;
  downsample: nn.Module | null;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: nn.Module | null = null) {
    super();
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new nn.BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new nn.BatchNorm2d(planes);
    this.downsample = downsample;
  }

  /** Folds bn1/bn2 into conv1/conv2 for inference (see ResNet.fuse). */
  fuse(): void {
    [this.conv1, this.bn1] = fusePair(this.conv1, this.bn1);
    [this.conv2, this.bn2] = fusePair(this.conv2, this.bn2);
  }

  override forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return F.relu(out.add_(identity), true);
  }
}

/** conv followed by an eval-mode BatchNorm -> [the folded conv, Identity]; the originals are freed. */
function fusePair(conv: nn.Conv2d, bn: nn.BatchNorm2d | nn.Identity): [nn.Conv2d, nn.BatchNorm2d | nn.Identity] {
  if (!(bn instanceof nn.BatchNorm2d)) return [conv, bn];
  const fused = nn.utils.fuse_conv_bn_eval(conv, bn);
  conv.dispose();
  bn.dispose();
  return [fused, new nn.Identity()];
}

export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d | nn.Identity;
  relu = new nn.ReLU(true);
  maxpool = new nn.MaxPool2d(3, 2, 1);
  #trunk: nn.Sequential | null = null;
  #trunkParts: nn.Module[] = [];
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  #inPlanes: number;

  constructor(layers: [number, number, number, number], numClasses = 1000, widths: [number, number, number, number] = [64, 128, 256, 512]) {
    super();
    this.#inPlanes = widths[0];
    this.conv1 = new nn.Conv2d(3, this.#inPlanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new nn.BatchNorm2d(this.#inPlanes);
    this.layer1 = this.#makeLayer(widths[0], layers[0]);
    this.layer2 = this.#makeLayer(widths[1], layers[1], 2);
    this.layer3 = this.#makeLayer(widths[2], layers[2], 2);
    this.layer4 = this.#makeLayer(widths[3], layers[3], 2);
    this.fc = new nn.Linear(widths[3] * BasicBlock.expansion, numClasses);
  }

  #makeLayer(planes: number, blocks: number, stride = 1): nn.Sequential {
    let downsample: nn.Module | null = null;
    if (stride !== 1 || this.#inPlanes !== planes * BasicBlock.expansion) {
      downsample = new nn.Sequential(conv1x1(this.#inPlanes, planes * BasicBlock.expansion, stride), new nn.BatchNorm2d(planes * BasicBlock.expansion));
    }
    const layers: nn.Module[] = [new BasicBlock(this.#inPlanes, planes, stride, downsample)];
    this.#inPlanes = planes * BasicBlock.expansion;
    for (let i = 1; i < blocks; i++) layers.push(new BasicBlock(this.#inPlanes, planes));
    return new nn.Sequential(...layers);
  }

  /**
   * Inference-time fusion, as ONNX Runtime's graph optimiser and tfjs-converter do: every BatchNorm
   * folds into the convolution before it (nn.utils.fuse_conv_bn_eval), leaving Identity in its
   * place. Call it after loading weights; the model is then in eval mode and its state_dict has no
   * BatchNorm entries (as a fused PyTorch model). The downsample Sequentials fuse by themselves.
   */
  fuse(): this {
    this.eval();
    [this.conv1, this.bn1] = fusePair(this.conv1, this.bn1);
    for (const layer of [this.layer1, this.layer2, this.layer3, this.layer4]) {
      for (const block of layer.children()) (block as BasicBlock).fuse();
    }
    return this;
  }

  override forward(x: Tensor): Tensor {
    // torchvision's order. The trunk runs as one nn.Sequential (built again if fuse() swapped a
    // module), which in eval mode fuses conv1 + ReLU + max pool (the 3 MiB stem output is made band
    // by band, never whole) and frees each stage's output as soon as the next stage has run
    const parts = [this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool];
    if (this.#trunk === null || parts.some((m, i) => m !== this.#trunkParts[i])) {
      this.#trunk = new nn.Sequential(...parts);
      this.#trunkParts = parts;
    }
    return this.fc.forward(this.#trunk.forward(x).flatten(1));
  }

  override dispose(): void {
    this.#trunk?._invalidateCaches();   // its folded-weights cache, if bn1 was not fused
    super.dispose();
  }
}

/** ResNet-18: BasicBlock, [2, 2, 2, 2]. */
export function resnet18(options: { num_classes?: number; widths?: [number, number, number, number] } = {}): ResNet {
  return new ResNet([2, 2, 2, 2], options.num_classes ?? 1000, options.widths);
}
