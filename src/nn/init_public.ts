// torch.nn.init as `nn.init`: the in-place initialisers (wasmnn's seedable generator, PyTorch's distributions).
export {
  calculate_gain, _calculate_fan_in_and_fan_out, uniform_, normal_, trunc_normal_, constant_, zeros_, ones_,
  kaiming_uniform_, kaiming_normal_, xavier_uniform_,
} from "./init.js";
