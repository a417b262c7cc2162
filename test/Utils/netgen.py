#!/usr/bin/env python3
"""Builds snn networks with seeded random weights and pruning masks for tests.

    import netgen
    net = netgen.Net("convs", [2, 3, 7, 13], seed=1)
    y = net.conv2d(net.input, 8, (3, 3), padding=(1, 1, 1, 1),
                   sparsity=0.9, pattern="random", fmt="csr")
    y = net.relu(y)
    net.ret(y)
    print(net.mlir())

Weights are uniform in +-1/sqrt(fan_in); `sparsity` prunes them with a mask
following `pattern`:
  random     exactly round(sparsity * n) weights pruned at random positions
  nm:N:M     N survivors (largest magnitude) in every M consecutive weights
             of a row (rows are the flattened reduction dimension)
  block:R:C  R output rows x C consecutive columns pruned or kept together
  channel    whole output rows (filters, neurons) pruned
`rank` (dense layers) makes the weight a product of two random factors of
that inner size, so that its rank is at most `rank`.
`fmt` sets the layer's #snn.format (e.g. "csr", "nm, 2, 4", "block, 4, 1",
"dense"); without it the compiler chooses. `schedule` is a hand-written
`snn.schedule` dictionary (e.g. '{kernel = "rows", rows = 1, ...}'). Only the Python standard library
is used, so a seed gives the same network everywhere.
"""
import math
import random
import struct


def _tensor(shape, elt="f32"):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + elt + ">"


def _arr(values):
    return "array<i64: " + ", ".join(str(v) for v in values) + ">"


def _window(n, pad_a, pad_b, k, s, d, ceil=False):
    span = n + pad_a + pad_b - d * (k - 1) - 1
    out = (span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + pad_a:
        out -= 1
    return out


class Value:
    def __init__(self, name, shape):
        self.name = name
        self.shape = list(shape)

    def __str__(self):
        return self.name


class Net:
    def __init__(self, name, input_shape, seed=0):
        self.name = name
        self.rng = random.Random(seed)
        self.lines = []
        self.blobs = []
        self.count = 0
        self.input = Value("%input", input_shape)
        self.result = None

    # -- helpers -----------------------------------------------------------
    def _fresh(self, stem):
        self.count += 1
        return f"{stem}{self.count}"

    def _op(self, stem, text, shape):
        name = "%" + self._fresh(stem)
        self.lines.append(f"  {name} = {text}")
        return Value(name, shape)

    def _blob(self, stem, data):
        key = self._fresh(stem)
        self.blobs.append((key, "0x" + data.hex().upper()))
        return key

    def constant(self, values, shape):
        key = self._blob("c", struct.pack("<I", 4) +
                         struct.pack(f"<{len(values)}f", *values))
        return self._op("c", f"arith.constant dense_resource<{key}> : {_tensor(shape)}", shape)

    def _mask_constant(self, bits, shape):
        key = self._blob("m", struct.pack("<I", 1) + bytes(bits))
        return self._op("m", f"arith.constant dense_resource<{key}> : {_tensor(shape, 'i1')}", shape)

    def _prune(self, values, rows, cols, sparsity, pattern):
        """Returns a 0/1 mask for a rows x cols weight."""
        n = rows * cols
        rng = self.rng
        if pattern == "random":
            drop = round(sparsity * n)
            order = list(range(n))
            rng.shuffle(order)
            mask = [1] * n
            for i in order[:drop]:
                mask[i] = 0
            return mask
        kind, *params = pattern.split(":")
        if kind == "nm":
            keep_n, m = int(params[0]), int(params[1])
            mask = [0] * n
            for r in range(rows):
                for g in range(0, cols, m):
                    idx = list(range(r * cols + g, r * cols + min(g + m, cols)))
                    idx.sort(key=lambda i: -abs(values[i]))
                    for i in idx[:keep_n]:
                        mask[i] = 1
            return mask
        if kind == "block":
            br, bc = int(params[0]), int(params[1])
            blocks = [(r, c) for r in range(0, rows, br) for c in range(0, cols, bc)]
            drop = set(rng.sample(range(len(blocks)), round(sparsity * len(blocks))))
            mask = [1] * n
            for b, (r0, c0) in enumerate(blocks):
                if b in drop:
                    for r in range(r0, min(r0 + br, rows)):
                        for c in range(c0, min(c0 + bc, cols)):
                            mask[r * cols + c] = 0
            return mask
        if kind == "channel":
            drop = set(rng.sample(range(rows), round(sparsity * rows)))
            return [0 if i // cols in drop else 1 for i in range(n)]
        raise ValueError(f"unknown pattern {pattern}")

    def weight(self, shape, fan_in, sparsity=0.0, pattern="random", rank=None):
        bound = 1.0 / math.sqrt(fan_in)
        n = math.prod(shape)
        if rank:
            # A sum of `rank` outer products: rows x cols of rank <= `rank`.
            rows, cols = shape[0], n // shape[0]
            scale = bound / math.sqrt(rank)
            left = [[self.rng.uniform(-1, 1) for _ in range(rank)] for _ in range(rows)]
            right = [[self.rng.uniform(-1, 1) for _ in range(cols)] for _ in range(rank)]
            values = [scale * sum(left[r][k] * right[k][c] for k in range(rank))
                      for r in range(rows) for c in range(cols)]
        else:
            values = [self.rng.uniform(-bound, bound) for _ in range(n)]
        w = self.constant(values, shape)
        if sparsity <= 0.0 and pattern == "random":
            return w
        mask = self._prune(values, shape[0], n // shape[0], sparsity, pattern)
        m = self._mask_constant(mask, shape)
        return self._op("p", f'"snn.mask"({w}, {m}) : ({_tensor(shape)}, {_tensor(shape, "i1")}) -> {_tensor(shape)}', shape)

    @staticmethod
    def _attrs(pairs):
        items = [f"{k} = {v}" for k, v in pairs if v is not None]
        return (" {" + ", ".join(items) + "}") if items else ""

    # -- layers ------------------------------------------------------------
    def dense(self, x, out, bias=True, sparsity=0.0, pattern="random", fmt=None,
              schedule=None, rank=None):
        n, k = x.shape
        w = self.weight([out, k], k, sparsity, pattern, rank)
        operands = [x, w]
        types = [_tensor(x.shape), _tensor([out, k])]
        if bias:
            b = self.constant([self.rng.uniform(-0.5, 0.5) for _ in range(out)], [out])
            operands.append(b)
            types.append(_tensor([out]))
        attrs = self._attrs([("format", f"#snn.format<{fmt}>" if fmt else None),
                             ("snn.schedule", schedule)])
        return self._op("d", f'"snn.dense"({", ".join(map(str, operands))}){attrs} : '
                             f'({", ".join(types)}) -> {_tensor([n, out])}', [n, out])

    def conv2d(self, x, out, kernel, stride=(1, 1), padding=(0, 0, 0, 0),
               dilation=(1, 1), groups=1, bias=True, sparsity=0.0,
               pattern="random", fmt=None, schedule=None):
        n, c, h, w = x.shape
        kh, kw = kernel
        cg = c // groups
        wt = self.weight([out, cg, kh, kw], cg * kh * kw, sparsity, pattern)
        operands = [x, wt]
        types = [_tensor(x.shape), _tensor([out, cg, kh, kw])]
        if bias:
            b = self.constant([self.rng.uniform(-0.5, 0.5) for _ in range(out)], [out])
            operands.append(b)
            types.append(_tensor([out]))
        if len(padding) == 2:
            padding = (padding[0], padding[1], padding[0], padding[1])
        ho = _window(h, padding[0], padding[2], kh, stride[0], dilation[0])
        wo = _window(w, padding[1], padding[3], kw, stride[1], dilation[1])
        attrs = self._attrs([
            ("strides", _arr(stride) if tuple(stride) != (1, 1) else None),
            ("padding", _arr(padding) if any(padding) else None),
            ("dilations", _arr(dilation) if tuple(dilation) != (1, 1) else None),
            ("groups", f"{groups} : i64" if groups != 1 else None),
            ("format", f"#snn.format<{fmt}>" if fmt else None),
            ("snn.schedule", schedule)])
        return self._op("cv", f'"snn.conv2d"({", ".join(map(str, operands))}){attrs} : '
                              f'({", ".join(types)}) -> {_tensor([n, out, ho, wo])}',
                        [n, out, ho, wo])

    def pool(self, x, kind, kernel, stride=None, padding=(0, 0, 0, 0),
             dilation=(1, 1), ceil=False, count_include_pad=True):
        n, c, h, w = x.shape
        stride = stride or kernel
        if len(padding) == 2:
            padding = (padding[0], padding[1], padding[0], padding[1])
        ho = _window(h, padding[0], padding[2], kernel[0], stride[0], dilation[0], ceil)
        wo = _window(w, padding[1], padding[3], kernel[1], stride[1], dilation[1], ceil)
        pairs = [("kernel", _arr(kernel)), ("strides", _arr(stride)),
                 ("padding", _arr(padding) if any(padding) else None),
                 ("ceil_mode", "true" if ceil else None)]
        if kind == "max":
            pairs.append(("dilations", _arr(dilation) if tuple(dilation) != (1, 1) else None))
        elif not count_include_pad:
            pairs.append(("count_include_pad", "false"))
        return self._op("pl", f'"snn.{kind}pool2d"({x}){self._attrs(pairs)} : '
                              f'({_tensor(x.shape)}) -> {_tensor([n, c, ho, wo])}',
                        [n, c, ho, wo])

    def unary(self, op, x, attrs=""):
        return self._op(op[:2], f'"snn.{op}"({x}){attrs} : ({_tensor(x.shape)}) -> {_tensor(x.shape)}', x.shape)

    def relu(self, x):
        return self.unary("relu", x)

    def sigmoid(self, x):
        return self.unary("sigmoid", x)

    def tanh(self, x):
        return self.unary("tanh", x)

    def softmax(self, x):
        return self.unary("softmax", x)

    def dropout(self, x, rate=0.5):
        return self.unary("dropout", x, f" {{rate = {rate!r} : f32}}")

    def add(self, a, b):
        return self._op("ad", f'"snn.add"({a}, {b}) : ({_tensor(a.shape)}, {_tensor(b.shape)}) -> {_tensor(a.shape)}', a.shape)

    def batchnorm(self, x, epsilon=None):
        c = x.shape[1]
        rng = self.rng
        scale = self.constant([rng.uniform(0.5, 1.5) for _ in range(c)], [c])
        shift = self.constant([rng.uniform(-0.5, 0.5) for _ in range(c)], [c])
        mean = self.constant([rng.uniform(-0.5, 0.5) for _ in range(c)], [c])
        var = self.constant([rng.uniform(0.5, 2.0) for _ in range(c)], [c])
        attrs = f" {{epsilon = {epsilon!r} : f32}}" if epsilon is not None else ""
        vt = _tensor([c])
        return self._op("bn", f'"snn.batchnorm"({x}, {scale}, {shift}, {mean}, {var}){attrs} : '
                              f'({_tensor(x.shape)}, {vt}, {vt}, {vt}, {vt}) -> {_tensor(x.shape)}', x.shape)

    def global_avgpool(self, x):
        n, c = x.shape[:2]
        return self._op("gp", f'"snn.global_avgpool"({x}) : ({_tensor(x.shape)}) -> {_tensor([n, c, 1, 1])}', [n, c, 1, 1])

    def flatten(self, x):
        shape = [x.shape[0], math.prod(x.shape[1:])]
        return self._op("fl", f'"snn.flatten"({x}) : ({_tensor(x.shape)}) -> {_tensor(shape)}', shape)

    def ret(self, x):
        self.result = x

    def mlir(self):
        out = [f"func.func @{self.name}(%input: {_tensor(self.input.shape)}) -> {_tensor(self.result.shape)} {{"]
        out += self.lines
        out.append(f"  return {self.result} : {_tensor(self.result.shape)}")
        out.append("}")
        if self.blobs:
            out.append("{-#\n  dialect_resources: {\n    builtin: {")
            out.append(",\n".join(f'      {k}: "{v}"' for k, v in self.blobs))
            out.append("    }\n  }\n#-}")
        return "\n".join(out) + "\n"
