#!/usr/bin/env python3
"""Exports torchvision's full-size ResNet-18 for examples/resnet18-check.ts (not run in CI).

Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torchvision);
run with /usr/bin/python3. The weights are torchvision's default initialisation with randomised
BatchNorm statistics (no download: this machine has no internet), saved with torchvision's
state_dict keys, plus an input image and PyTorch's logits:

    /usr/bin/python3 examples/resnet18-torchvision.py /tmp/resnet18.safetensors
    npx tsx examples/resnet18-check.ts /tmp/resnet18.safetensors

If the `safetensors` package is installed, safetensors.torch.save_file is used; otherwise the
fixture generator's writer (same format).
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures"))

torch.manual_seed(0)
model = torchvision.models.resnet18()
with torch.no_grad():
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            # non-trivial statistics so every BatchNorm matters; gains kept near 1
            module.running_mean.copy_(0.1 * torch.randn_like(module.running_mean))
            module.running_var.copy_(0.5 + torch.rand_like(module.running_var))
            module.weight.copy_(1 + 0.1 * torch.randn_like(module.weight))
            module.bias.copy_(0.1 * torch.randn_like(module.bias))
model.eval()
image = torch.randn(1, 3, 224, 224)
with torch.no_grad():
    logits = model(image)

tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
tensors["__input__"] = image
tensors["__output__"] = logits
path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/resnet18.safetensors"
try:
    from safetensors.torch import save_file
    save_file(tensors, path)
except ImportError:
    from gen import write_safetensors
    write_safetensors(path, tensors)
print("wrote", path, "logits[:5] =", logits[0, :5].tolist())
