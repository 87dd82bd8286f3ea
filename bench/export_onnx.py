"""ONNX exports for `npm run bench:vision`: the same torchvision models, with the same weights as
the test fixtures (tests/fixtures/vision/gen_models.py's prepare()), exported by torch.onnx.export
(opset 13) at the bench's input size, plus each model's multiply-accumulate count at that size.

Writes bench/build/onnx/<case>.onnx and <case>.json ({"macs", "input"}); bench/vision.ts reads them.
Run from the repository root: /usr/bin/python3 bench/export_onnx.py [case ...]
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "vision"))
import gen_models  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "build", "onnx")

# (case name as in the fixtures, input size of the bench)
BENCH = [
    ("resnet18", 224), ("resnet50", 224), ("mobilenet_v2", 224), ("mobilenet_v3_large", 224),
    ("efficientnet_b0", 224), ("shufflenet_v2_x0_5", 224), ("densenet121", 224), ("convnext_tiny", 224),
    ("regnet_y_400mf", 224), ("squeezenet1_1", 224), ("lraspp_mobilenet_v3_large", 320),
]


def count_macs(model, x):
    """Multiply-accumulates of every Conv2d and Linear for input x (what GFLOP/s = 2 * MACs / time counts)."""
    total = [0]

    def conv_hook(m, inputs, out):
        total[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inputs, out):
        total[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total[0]


def main(names):
    os.makedirs(OUT, exist_ok=True)
    cases = {gen_models.case_name(b, o): (f, b, o, s) for f, b, o, s in gen_models.CASES}
    for name, size in BENCH:
        if names and name not in names:
            continue
        family, builder, options, fixture_size = cases[name]
        model, _ = gen_models.prepare(family, builder, options, fixture_size)
        x = torch.zeros(1, 3, size, size)
        macs = count_macs(model, x)
        outputs = ["out"] if family == "classification" else list(model(x).keys())
        torch.onnx.export(model, x, os.path.join(OUT, name + ".onnx"), opset_version=13,
                          input_names=["input"], output_names=outputs, do_constant_folding=True)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"macs": macs, "input": [1, 3, size, size], "outputs": outputs}, f)
        print(f"{name}: {macs / 1e9:.3f} GMAC at {size}x{size}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
