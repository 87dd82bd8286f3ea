// nn.utils, as torch.nn.utils (the parts inference needs).
export { fuse_conv_bn_eval } from "./fusion.js";
