#!/usr/bin/env python3
"""Writes the untrained networks that examples/train/reproduce.sh trains.

  lenet300.mlir   LeNet-300-100: 784 -> 300 -> 100 -> 10 (relu)
  lenet5.mlir     LeNet-5 in Caffe's shape: conv 20@5x5, max pool 2,
                  conv 50@5x5, max pool 2, dense 500, relu, dense 10

Input 1x1x28x28 (N x 1 x 28 x 28; sparsec train uses any batch size),
output 1x10 logits. Weights are dense (no masks) and drawn He-uniform
(+-sqrt(6 / fan_in)), biases zero, from a fixed seed with Python's own
generator, so the files are the same on every machine.

  python3 make_nets.py [OUTDIR]
"""
import argparse
import math
import os
import random
import struct
import sys

SEED = 6


def f32_blob(values):
    return "0x" + (struct.pack("<I", 4) +
                   struct.pack(f"<{len(values)}f", *values)).hex().upper()


def tensor(shape):
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


class Net:
    def __init__(self, name, rng):
        self.name, self.rng = name, rng
        self.lines, self.blobs = [], []
        self.n = 0

    def param(self, name, shape, fan_in, zero=False):
        n = math.prod(shape)
        bound = math.sqrt(6.0 / fan_in)
        vals = [0.0] * n if zero else [self.rng.uniform(-bound, bound)
                                       for _ in range(n)]
        key = f"{self.name}_{name}"
        self.blobs.append((key, f32_blob(vals)))
        self.lines.append(
            f"    %{name} = arith.constant dense_resource<{key}> : {tensor(shape)}")
        return f"%{name}"

    def op(self, text, result_shape, loc):
        self.n += 1
        v = f"%v{self.n}"
        self.lines.append(f"    {v} = {text} -> {tensor(result_shape)} loc(\"{loc}\")")
        return v

    def dense(self, x, xshape, out, name):
        k = xshape[1]
        w = self.param(f"{name}_w", [out, k], k)
        b = self.param(f"{name}_b", [out], k, zero=True)
        return self.op(f'"snn.dense"({x}, {w}, {b}) : ({tensor(xshape)}, '
                       f'{tensor([out, k])}, {tensor([out])})', [1, out], name), [1, out]

    def conv(self, x, xshape, out, k, name):
        c = xshape[1]
        w = self.param(f"{name}_w", [out, c, k, k], c * k * k)
        b = self.param(f"{name}_b", [out], c * k * k, zero=True)
        oshape = [1, out, xshape[2] - k + 1, xshape[3] - k + 1]
        return self.op(f'"snn.conv2d"({x}, {w}, {b}) : ({tensor(xshape)}, '
                       f'{tensor([out, c, k, k])}, {tensor([out])})', oshape, name), oshape

    def unary(self, kind, x, shape, name, attrs=""):
        return self.op(f'"snn.{kind}"({x}){attrs} : ({tensor(shape)})', shape, name)

    def pool(self, x, shape, name):
        o = [shape[0], shape[1], shape[2] // 2, shape[3] // 2]
        return self.op(f'"snn.maxpool2d"({x}) {{kernel = array<i64: 2, 2>, '
                       f'strides = array<i64: 2, 2>}} : ({tensor(shape)})', o, name), o

    def text(self, in_shape, out, out_shape):
        head = [f"module {{",
                f"  func.func @{self.name}(%input: {tensor(in_shape)}) -> {tensor(out_shape)} {{"]
        tail = [f"    return {out} : {tensor(out_shape)}", "  }", "}", "",
                "{-#", "  dialect_resources: {", "    builtin: {"]
        tail += [f"      {k}: \"{v}\"," for k, v in self.blobs[:-1]]
        tail += [f"      {k}: \"{v}\"" for k, v in self.blobs[-1:]]
        tail += ["    }", "  }", "#-}", ""]
        return "\n".join(head + self.lines + tail)


def lenet300(rng):
    n = Net("lenet300", rng)
    shape = [1, 1, 28, 28]
    x = n.op(f'"snn.flatten"(%input) : ({tensor(shape)})', [1, 784], "flatten")
    x, s = n.dense(x, [1, 784], 300, "fc1")
    x = n.unary("relu", x, s, "relu1")
    x, s = n.dense(x, s, 100, "fc2")
    x = n.unary("relu", x, s, "relu2")
    x, s = n.dense(x, s, 10, "fc3")
    return n.text(shape, x, s)


def lenet5(rng):
    n = Net("lenet5", rng)
    shape = [1, 1, 28, 28]
    x, s = n.conv("%input", shape, 20, 5, "conv1")
    x, s = n.pool(x, s, "pool1")
    x, s = n.conv(x, s, 50, 5, "conv2")
    x, s = n.pool(x, s, "pool2")
    x2 = n.op(f'"snn.flatten"({x}) : ({tensor(s)})', [1, 800], "flatten")
    x, s = n.dense(x2, [1, 800], 500, "fc1")
    x = n.unary("relu", x, s, "relu1")
    x, s = n.dense(x, s, 10, "fc2")
    return n.text(shape, x, s)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?",
                    default=os.path.dirname(os.path.abspath(__file__)),
                    help="directory to write lenet300.mlir and lenet5.mlir into "
                         "(default: this script's directory)")
    out = ap.parse_args().outdir
    os.makedirs(out, exist_ok=True)
    for name, fn in (("lenet300", lenet300), ("lenet5", lenet5)):
        path = os.path.join(out, name + ".mlir")
        # Temp file + rename: a reader never sees half a network.
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(fn(random.Random(SEED)))
        os.replace(tmp, path)


if __name__ == "__main__":
    main()
