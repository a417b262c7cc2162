#!/usr/bin/env python3
"""Writes random, valid snn networks (generic form) for differential tests.

The same seed and options always give the same network, on every machine
(Python standard library only). Every op of the snn dialect can appear:
conv2d (grouped, depthwise, strided, padded -- also asymmetrically --,
dilated), dense, max / average / global pooling (padding, ceil mode,
count_include_pad), relu, sigmoid, tanh, batchnorm (2-D and 4-D), dropout,
flatten, softmax and add (residual blocks, and forks whose two branches are
both layers). Weights are drawn like PyTorch's default initialisation
(uniform in +-1/sqrt(fan_in)), biases likewise; masks prune elements at
random and can kill whole output units (for snn-eliminate-dead).

  randnet.py [options] -o net.mlir [--input x.f32 [--copies K]] [--labels y.i32]

Options (defaults in brackets):
  --seed S           random seed [1]
  --batch N          batch size [1]
  --shape CxHxW      input channels and size [3x8x8]; or
  --features F       a 2-D N x F input instead (dense layers only)
  --layers L         random layers before the classifier [6]
  --kinds K,K,...    kinds to draw from [all]: conv gconv dwconv dense
                     maxpool avgpool gap relu sigmoid tanh bn dropout
                     residual fork
  --channels LO:HI   output channels of conv2d layers [2:6]
  --hidden LO:HI     output features of hidden dense layers [4:16]
  --classes K        outputs of the final dense layer [5]
  --softmax          end with snn.softmax
  --mask-prob P      chance that a weight gets an snn.mask [0.7]
  --sparsity S       chance that a masked weight element is pruned [0.5]
  --dead P           chance that an output unit's whole filter is pruned [0]
  --bias-prob P      chance that a layer has a bias [0.8]
  --blobs            weights as dense_resource blobs instead of inline hex
  --input FILE       also write a random input, uniform in [-1, 1)
  --copies K         ... K copies of the input tensor, one after another [1]
  --labels FILE      also write one random int32 label per batch row and copy
"""
import argparse
import math
import random
import struct
import sys

ALL_KINDS = ["conv", "gconv", "dwconv", "dense", "maxpool", "avgpool", "gap",
             "relu", "sigmoid", "tanh", "bn", "dropout", "residual", "fork"]


def window_out(n, before, after, k, s, d, ceil):
    """Output size of a window, with PyTorch's rounding (as sparsec's)."""
    span = n + before + after - d * (k - 1) - 1
    if span < 0:
        return 0
    out = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + before:
        out -= 1
    return out


def ttype(shape, elt="f32"):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + elt + ">"


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def arr(values):
    return "array<i64: " + ", ".join(str(v) for v in values) + ">"


class Net:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.lines = []
        self.blobs = []
        self.count = 0

    def fresh(self, prefix):
        self.count += 1
        return f"%{prefix}{self.count}"

    # Constants ---------------------------------------------------------
    def const_f32(self, shape, values):
        name = self.fresh("c")
        if self.args.blobs:
            key = name[1:]
            data = struct.pack("<I", 4) + struct.pack(f"<{len(values)}f", *values)
            self.blobs.append((key, "0x" + data.hex().upper()))
            self.lines.append(f"  {name} = arith.constant dense_resource<{key}> : {ttype(shape)}")
        else:
            data = struct.pack(f"<{len(values)}f", *values).hex().upper()
            self.lines.append(f'  {name} = arith.constant dense<"0x{data}"> : {ttype(shape)}')
        return name

    def const_mask(self, shape, bits):
        name = self.fresh("m")
        if self.args.blobs:
            key = name[1:]
            data = struct.pack("<I", 1) + bytes(bits)
            self.blobs.append((key, "0x" + data.hex().upper()))
            self.lines.append(f"  {name} = arith.constant dense_resource<{key}> : {ttype(shape, 'i1')}")
        else:
            # i1 hex data is bit-packed, least significant bit first.
            packed = bytearray((len(bits) + 7) // 8)
            for i, b in enumerate(bits):
                if b:
                    packed[i // 8] |= 1 << (i % 8)
            self.lines.append(f'  {name} = arith.constant dense<"0x{packed.hex().upper()}"> : {ttype(shape, "i1")}')
        return name

    def uniform(self, n, bound):
        return [f32(self.rng.uniform(-bound, bound)) for _ in range(n)]

    def dead_units(self, units):
        return {o for o in range(units) if self.rng.random() < self.args.dead}

    def weight(self, shape, fan_in, dead=None):
        """A weight, masked at random; `dead` output units lose every weight."""
        n = math.prod(shape)
        w = self.const_f32(shape, self.uniform(n, 1.0 / math.sqrt(fan_in)))
        dead = dead if dead is not None else self.dead_units(shape[0])
        if not dead and self.rng.random() >= self.args.mask_prob:
            return w
        row = n // shape[0]
        bits = [0 if (i // row) in dead or self.rng.random() < self.args.sparsity else 1
                for i in range(n)]
        m = self.const_mask(shape, bits)
        p = self.fresh("p")
        self.lines.append(f'  {p} = "snn.mask"({w}, {m}) : ({ttype(shape)}, {ttype(shape, "i1")}) -> {ttype(shape)}')
        return p

    def bias(self, units, fan_in):
        if self.rng.random() >= self.args.bias_prob:
            return None
        return self.const_f32([units], self.uniform(units, 1.0 / math.sqrt(fan_in)))

    # Ops ---------------------------------------------------------------
    def op(self, text, operands, in_types, out_shape, attrs=""):
        y = self.fresh("v")
        attrs = f" {{{attrs}}}" if attrs else ""
        self.lines.append(f'  {y} = "snn.{text}"({", ".join(operands)}){attrs} : '
                          f'({", ".join(in_types)}) -> {ttype(out_shape)}')
        return y

    def conv(self, x, shape, out, k, stride, pad, dil, groups, dead=None):
        n, c, h, w = shape
        fan_in = (c // groups) * k[0] * k[1]
        wshape = [out, c // groups, k[0], k[1]]
        wt = self.weight(wshape, fan_in, dead)
        b = self.bias(out, fan_in)
        ho = window_out(h, pad[0], pad[2], k[0], stride[0], dil[0], False)
        wo = window_out(w, pad[1], pad[3], k[1], stride[1], dil[1], False)
        attrs = []
        if stride != [1, 1]:
            attrs.append(f"strides = {arr(stride)}")
        if any(pad):
            attrs.append(f"padding = {arr(pad)}")
        if dil != [1, 1]:
            attrs.append(f"dilations = {arr(dil)}")
        if groups != 1:
            attrs.append(f"groups = {groups} : i64")
        operands = [x, wt] + ([b] if b else [])
        types = [ttype(shape), ttype(wshape)] + ([ttype([out])] if b else [])
        oshape = [n, out, ho, wo]
        return self.op("conv2d", operands, types, oshape, ", ".join(attrs)), oshape

    def dense(self, x, shape, out, dead=None):
        k = shape[1]
        wt = self.weight([out, k], k, dead)
        b = self.bias(out, k)
        operands = [x, wt] + ([b] if b else [])
        types = [ttype(shape), ttype([out, k])] + ([ttype([out])] if b else [])
        return self.op("dense", operands, types, [shape[0], out]), [shape[0], out]

    def unary(self, kind, x, shape):
        attrs = "rate = 5.000000e-01 : f32" if kind == "dropout" else ""
        return self.op(kind, [x], [ttype(shape)], shape, attrs), shape

    def batchnorm(self, x, shape):
        c = shape[1]
        scale = self.const_f32([c], [f32(self.rng.uniform(0.5, 1.5)) for _ in range(c)])
        shift = self.const_f32([c], self.uniform(c, 0.5))
        mean = self.const_f32([c], self.uniform(c, 0.5))
        var = self.const_f32([c], [f32(self.rng.uniform(0.5, 1.5)) for _ in range(c)])
        return self.op("batchnorm", [x, scale, shift, mean, var],
                       [ttype(shape)] + [ttype([c])] * 4, shape,
                       "epsilon = 9.99999974E-6 : f32"), shape

    def pool(self, kind, x, shape):
        n, c, h, w = shape
        for _ in range(20):
            k = [self.rng.randint(1, 3), self.rng.randint(1, 3)]
            stride = [self.rng.randint(1, 2), self.rng.randint(1, 2)]
            pad = [self.rng.randint(0, k[i % 2] // 2) for i in range(4)]
            dil = [self.rng.randint(1, 2), self.rng.randint(1, 2)] if kind == "maxpool" else [1, 1]
            ceil = self.rng.random() < 0.3
            ho = window_out(h, pad[0], pad[2], k[0], stride[0], dil[0], ceil)
            wo = window_out(w, pad[1], pad[3], k[1], stride[1], dil[1], ceil)
            if ho >= 1 and wo >= 1:
                break
        else:
            return None
        attrs = [f"kernel = {arr(k)}", f"strides = {arr(stride)}"]
        if any(pad):
            attrs.append(f"padding = {arr(pad)}")
        if kind == "maxpool" and dil != [1, 1]:
            attrs.append(f"dilations = {arr(dil)}")
        if ceil:
            attrs.append("ceil_mode = true")
        if kind == "avgpool" and self.rng.random() < 0.5:
            attrs.append("count_include_pad = false")
        oshape = [n, c, ho, wo]
        name = "maxpool2d" if kind == "maxpool" else "avgpool2d"
        return self.op(name, [x], [ttype(shape)], oshape, ", ".join(attrs)), oshape

    def random_conv(self, x, shape, kind):
        n, c, h, w = shape
        for _ in range(20):
            if kind == "dwconv":
                out, groups = c, c
            elif kind == "gconv":
                divisors = [g for g in range(2, c + 1) if c % g == 0]
                if not divisors:
                    return None
                groups = self.rng.choice(divisors)
                lo, hi = self.args.channels
                out = groups * self.rng.randint(max(1, lo // groups), max(1, hi // groups))
            else:
                out, groups = self.rng.randint(*self.args.channels), 1
            k = [self.rng.randint(1, 3), self.rng.randint(1, 3)]
            stride = [self.rng.randint(1, 2), self.rng.randint(1, 2)]
            dil = [self.rng.choice([1, 1, 2]), self.rng.choice([1, 1, 2])]
            pad = [self.rng.randint(0, k[i % 2]) for i in range(4)]
            ho = window_out(h, pad[0], pad[2], k[0], stride[0], dil[0], False)
            wo = window_out(w, pad[1], pad[3], k[1], stride[1], dil[1], False)
            if ho >= 1 and wo >= 1:
                return self.conv(x, shape, out, k, stride, pad, dil, groups)
        return None

    def same_conv(self, x, shape, dead=None, depthwise=False):
        """A conv2d that keeps the shape: 1x1, or 3x3 with padding 1."""
        c = shape[1]
        if self.rng.random() < 0.5:
            return self.conv(x, shape, c, [1, 1], [1, 1], [0, 0, 0, 0], [1, 1], c if depthwise else 1, dead)
        return self.conv(x, shape, c, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1], c if depthwise else 1, dead)

    def residual(self, x, shape):
        """x + f(x); the add keeps x's units, whatever f prunes."""
        if len(shape) == 4:
            y, _ = self.same_conv(x, shape, depthwise=self.rng.random() < 0.3)
            y, _ = self.unary("relu", y, shape)
            y, _ = self.same_conv(y, shape)
        else:
            y, _ = self.dense(x, shape, shape[1])
            y, _ = self.unary(self.rng.choice(["relu", "tanh"]), y, shape)
            y, _ = self.dense(y, shape, shape[1])
        return self.op("add", [x, y], [ttype(shape)] * 2, shape), shape

    def fork(self, x, shape):
        """f(x) + g(x) with two layers, half the time dead in the same units."""
        if len(shape) == 4:
            out = self.rng.randint(*self.args.channels)
            oshape = [shape[0], out, shape[2], shape[3]]
            dead = self.dead_units(out) if self.rng.random() < 0.5 else None
            a, _ = self.conv(x, shape, out, [1, 1], [1, 1], [0, 0, 0, 0], [1, 1], 1, dead)
            b, _ = self.conv(x, shape, out, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1], 1, dead)
        else:
            out = self.rng.randint(*self.args.hidden)
            oshape = [shape[0], out]
            dead = self.dead_units(out) if self.rng.random() < 0.5 else None
            a, _ = self.dense(x, shape, out, dead)
            b, _ = self.dense(x, shape, out, dead)
        return self.op("add", [a, b], [ttype(oshape)] * 2, oshape), oshape

    def step(self, x, shape):
        kinds = [k for k in self.args.kinds
                 if len(shape) == 4 or k not in ("conv", "gconv", "dwconv", "maxpool", "avgpool", "gap")]
        if not kinds:
            return None
        kind = self.rng.choice(kinds)
        if kind in ("relu", "sigmoid", "tanh", "dropout"):
            return self.unary(kind, x, shape)
        if kind == "bn":
            return self.batchnorm(x, shape)
        if kind in ("maxpool", "avgpool"):
            return self.pool(kind, x, shape)
        if kind == "gap":
            return self.op("global_avgpool", [x], [ttype(shape)], shape[:2] + [1, 1]), shape[:2] + [1, 1]
        if kind in ("conv", "gconv", "dwconv"):
            return self.random_conv(x, shape, kind)
        if kind == "residual":
            return self.residual(x, shape)
        if kind == "fork":
            return self.fork(x, shape)
        if kind == "dense":
            if len(shape) == 4:
                x, shape = self.flatten(x, shape)
            return self.dense(x, shape, self.rng.randint(*self.args.hidden))
        raise ValueError(kind)

    def flatten(self, x, shape):
        oshape = [shape[0], math.prod(shape[1:])]
        return self.op("flatten", [x], [ttype(shape)], oshape), oshape

    def build(self):
        a = self.args
        shape = [a.batch, a.features] if a.features else [a.batch] + a.shape
        self.input_shape = shape
        x = "%input"
        for _ in range(a.layers):
            for _ in range(10):
                r = self.step(x, shape)
                if r is not None:
                    x, shape = r
                    break
        if len(shape) == 4:
            if math.prod(shape[1:]) > 256:
                x, shape = self.op("global_avgpool", [x], [ttype(shape)], shape[:2] + [1, 1]), shape[:2] + [1, 1]
            x, shape = self.flatten(x, shape)
        x, shape = self.dense(x, shape, a.classes)
        if a.softmax:
            x, shape = self.unary("softmax", x, shape)
        out = [f"// randnet.py --seed {a.seed}: {len(self.lines)} lines",
               f"func.func @net(%input: {ttype(self.input_shape)}) -> {ttype(shape)} {{"]
        out += self.lines
        out.append(f"  return {x} : {ttype(shape)}")
        out.append("}")
        if self.blobs:
            out.append("{-#\n  dialect_resources: {\n    builtin: {")
            out.append(",\n".join(f'      {k}: "{v}"' for k, v in self.blobs))
            out.append("    }\n  }\n#-}")
        return "\n".join(out) + "\n"


def span(text):
    lo, hi = text.split(":")
    return int(lo), int(hi)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--shape", default="3x8x8")
    p.add_argument("--features", type=int, default=0)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--kinds", default=",".join(ALL_KINDS))
    p.add_argument("--channels", type=span, default=(2, 6))
    p.add_argument("--hidden", type=span, default=(4, 16))
    p.add_argument("--classes", type=int, default=5)
    p.add_argument("--softmax", action="store_true")
    p.add_argument("--mask-prob", type=float, default=0.7)
    p.add_argument("--sparsity", type=float, default=0.5)
    p.add_argument("--dead", type=float, default=0.0)
    p.add_argument("--bias-prob", type=float, default=0.8)
    p.add_argument("--blobs", action="store_true")
    p.add_argument("-o", "--output", default="-")
    p.add_argument("--input")
    p.add_argument("--copies", type=int, default=1)
    p.add_argument("--labels")
    a = p.parse_args()
    a.kinds = a.kinds.split(",")
    for k in a.kinds:
        if k not in ALL_KINDS:
            p.error(f"unknown kind '{k}'; the kinds are {', '.join(ALL_KINDS)}")
    a.shape = [int(d) for d in a.shape.split("x")]
    if len(a.shape) != 3:
        p.error("--shape must be CxHxW")
    if a.features:
        a.kinds = [k for k in a.kinds if k not in ("conv", "gconv", "dwconv", "maxpool", "avgpool", "gap")]

    net = Net(a)
    text = net.build()
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)
    # The input comes from its own generator so that it does not depend on
    # how many numbers the network used.
    rng = random.Random(a.seed * 7919 + 17)
    if a.input:
        n = math.prod(net.input_shape) * a.copies
        with open(a.input, "wb") as f:
            f.write(struct.pack(f"<{n}f", *[rng.uniform(-1.0, 1.0) for _ in range(n)]))
    if a.labels:
        n = net.input_shape[0] * a.copies
        with open(a.labels, "wb") as f:
            f.write(struct.pack(f"<{n}i", *[rng.randrange(a.classes) for _ in range(n)]))


if __name__ == "__main__":
    main()
