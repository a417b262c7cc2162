#!/usr/bin/python3
"""Builds a small network in PyTorch 1.13, prunes it with
torch.nn.utils.prune, exports it to ONNX and writes what the import tests
compare against.

  make_model.py KIND DIR

KIND is one of
  cnn      (symbolic batch) conv (+ a residual add), relu, batchnorm, max pool, grouped and
           depthwise dilated conv, sigmoid, average pool (count_include_pad
           off, ONNX's default), flatten, linear (Gemm), tanh, dropout,
           linear, softmax; 60 % of every conv and linear weight pruned
  mlp      x @ W + b written out (MatMul + Add), global average pool,
           Reshape to 2-D; 80 % pruned
  and the models the importer must refuse, with their errors:
  elu      an op sparsec does not have (Elu)
  dilated  MaxPool with a dilation (an unsupported attribute value)
  dynamic  x.view(x.size(0), -1) with a symbolic batch: a Reshape whose
           shape is computed at run time (Shape, Gather, ...)

DIR receives model.onnx, input.f32 (2 examples), expected.f32 (PyTorch's
output for them) and zeros.txt ("<weights> weights, <zeros> zeros": the
conv and linear weights' elements and how many of them pruning zeroed).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv1b = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=(1, 2), stride=(1, 2), groups=2)
        self.dw = nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16)
        self.fc1 = nn.Linear(16 * 7 * 3, 32)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        y = F.relu(self.conv1(x)) + self.conv1b(x)
        y = F.max_pool2d(self.bn(F.relu(y)), 2)            # 8x14x14
        y = self.dw(F.relu(self.conv2(y)))                 # 16x14x8
        y = F.avg_pool2d(torch.sigmoid(y), (2, 3), padding=(0, 1),
                         count_include_pad=False)          # 16x7x3
        y = torch.flatten(y, 1)
        y = self.drop(torch.tanh(self.fc1(y)))
        return F.softmax(self.fc2(y), dim=1)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, 1)
        self.w = nn.Parameter(torch.randn(12, 20) * 0.3)
        self.b = nn.Parameter(torch.randn(20) * 0.1)
        self.out = nn.Linear(20, 5)

    def forward(self, x):
        y = F.adaptive_avg_pool2d(torch.relu(self.conv(x)), 1)   # GlobalAveragePool
        y = y.reshape(2, 12)                                     # Reshape
        y = torch.sigmoid(y @ self.w + self.b)                   # MatMul + Add
        return self.out(y)


class Elu(nn.Module):
    def forward(self, x):
        return F.elu(x)


class Dilated(nn.Module):
    def forward(self, x):
        return F.max_pool2d(x, 2, dilation=2)


class Dynamic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4 * 4, 3)

    def forward(self, x):
        return self.fc(x.view(x.size(0), -1))


def main():
    kind, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    shapes = {"cnn": (2, 1, 28, 28), "mlp": (2, 3, 6, 6), "elu": (2, 4),
              "dilated": (2, 1, 8, 8), "dynamic": (2, 1, 4, 4)}
    model = {"cnn": Cnn, "mlp": Mlp, "elu": Elu, "dilated": Dilated,
             "dynamic": Dynamic}[kind]()
    weights = zeros = 0
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            # Not PyTorch's initial 1, 0, 0, 1: statistics worth checking.
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            prune.l1_unstructured(m, "weight", amount=0.8 if kind == "mlp" else 0.6)
            prune.remove(m, "weight")
    if kind == "mlp":
        prune.l1_unstructured(model, "w", amount=0.8)
        prune.remove(model, "w")
    for name, p in model.named_parameters():
        if name.endswith("weight") and p.dim() > 1 or name == "w":
            weights += p.numel()
            zeros += int((p == 0).sum())
    model.eval()
    x = torch.rand(*shapes[kind]) * 2 - 1
    with torch.no_grad():
        y = model(x)
    # The batch is symbolic where the model allows it (sparsec import --batch).
    dynamic = {"input": {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(model, x, os.path.join(out, "model.onnx"),
                      input_names=["input"], output_names=["output"],
                      opset_version=13,
                      dynamic_axes=None if kind == "mlp" else dynamic)
    x.numpy().astype("<f4").tofile(os.path.join(out, "input.f32"))
    y.numpy().astype("<f4").tofile(os.path.join(out, "expected.f32"))
    with open(os.path.join(out, "zeros.txt"), "w") as f:
        f.write(f"{weights} weights, {zeros} zeros\n")


if __name__ == "__main__":
    main()
