"""Writes networks in sparsec's `snn` dialect (generic op form).

Weights and masks are dense_resource blobs in the file's dialect_resources
section, as examples/lenet5/make_net.py writes them: a hex string holding
the alignment as a little-endian 32-bit word (4 for f32, 1 for i1) followed
by the little-endian data; an i1 mask has one byte 0/1 per element.
"""
import numpy as np


def tensor(shape, elt="f32"):
    return "tensor<" + "x".join(str(int(d)) for d in shape) + "x" + elt + ">"


def f32_blob(a):
    data = np.ascontiguousarray(a, dtype="<f4").tobytes()
    return "0x" + (np.uint32(4).astype("<u4").tobytes() + data).hex().upper()


def i1_blob(mask):
    data = np.ascontiguousarray(mask, dtype=np.uint8).tobytes()
    return "0x" + (np.uint32(1).astype("<u4").tobytes() + data).hex().upper()


class Net:
    """Accumulates ops and blobs of one func.func with one input and one result."""

    def __init__(self, name, in_shape, comment=""):
        self.name = name
        self.in_shape = tuple(in_shape)
        self.comment = comment
        self.lines = []
        self.blobs = []
        self.value = "%input"
        self.shape = self.in_shape

    def _op(self, result, text):
        self.lines.append(f"  %{result} = {text}")
        return f"%{result}"

    def weight(self, name, w, mask=None):
        """A constant, masked with snn.mask when `mask` is given."""
        self.blobs.append((name, f32_blob(w)))
        self.lines.append(f"  %{name} = arith.constant dense_resource<{name}> : {tensor(w.shape)}")
        if mask is None:
            return f"%{name}"
        mname = name + "_mask"
        self.blobs.append((mname, i1_blob(mask)))
        self.lines.append(
            f"  %{mname} = arith.constant dense_resource<{mname}> : {tensor(w.shape, 'i1')}")
        return self._op(name + "_p", f'"snn.mask"(%{name}, %{mname}) : '
                        f"({tensor(w.shape)}, {tensor(w.shape, 'i1')}) -> {tensor(w.shape)}")

    def dense(self, name, w, b=None, mask=None):
        m = w.shape[0]
        wv = self.weight(name + "_w", w, mask)
        operands = [self.value, wv]
        types = [tensor(self.shape), tensor(w.shape)]
        if b is not None:
            operands.append(self.weight(name + "_b", b))
            types.append(tensor(b.shape))
        out = (self.shape[0], m)
        self.value = self._op(name, f'"snn.dense"({", ".join(operands)}) : '
                              f"({', '.join(types)}) -> {tensor(out)}")
        self.shape = out
        return self.value

    def conv2d(self, name, w, b=None, mask=None, stride=1, pad=0, groups=1):
        n, c, h, wd = self.shape
        m, _, kh, kw = w.shape
        oh = (h + 2 * pad - kh) // stride + 1
        ow = (wd + 2 * pad - kw) // stride + 1
        wv = self.weight(name + "_w", w, mask)
        operands = [self.value, wv]
        types = [tensor(self.shape), tensor(w.shape)]
        if b is not None:
            operands.append(self.weight(name + "_b", b))
            types.append(tensor(b.shape))
        attrs = []
        if stride != 1:
            attrs.append(f"strides = array<i64: {stride}, {stride}>")
        if pad:
            attrs.append(f"padding = array<i64: {pad}, {pad}, {pad}, {pad}>")
        if groups != 1:
            attrs.append(f"groups = {groups} : i64")
        attr = f" {{{', '.join(attrs)}}}" if attrs else ""
        out = (n, m, oh, ow)
        self.value = self._op(name, f'"snn.conv2d"({", ".join(operands)}){attr} : '
                              f"({', '.join(types)}) -> {tensor(out)}")
        self.shape = out
        return self.value

    def unary(self, name, op):
        self.value = self._op(name, f'"snn.{op}"({self.value}) : '
                              f"({tensor(self.shape)}) -> {tensor(self.shape)}")
        return self.value

    def maxpool(self, name, k):
        n, c, h, w = self.shape
        out = (n, c, h // k, w // k)
        self.value = self._op(name, f'"snn.maxpool2d"({self.value}) {{kernel = array<i64: {k}, {k}>}} : '
                              f"({tensor(self.shape)}) -> {tensor(out)}")
        self.shape = out
        return self.value

    def global_avgpool(self, name):
        n, c = self.shape[:2]
        out = (n, c, 1, 1)
        self.value = self._op(name, f'"snn.global_avgpool"({self.value}) : '
                              f"({tensor(self.shape)}) -> {tensor(out)}")
        self.shape = out
        return self.value

    def flatten(self, name):
        out = (self.shape[0], int(np.prod(self.shape[1:])))
        self.value = self._op(name, f'"snn.flatten"({self.value}) : '
                              f"({tensor(self.shape)}) -> {tensor(out)}")
        self.shape = out
        return self.value

    def text(self):
        out = []
        if self.comment:
            out += [f"// {line}" for line in self.comment.splitlines()]
        out.append(f"func.func @{self.name}(%input: {tensor(self.in_shape)}) -> {tensor(self.shape)} {{")
        out += self.lines
        out.append(f"  return {self.value} : {tensor(self.shape)}")
        out.append("}")
        out.append("")
        out.append("{-#")
        out.append("  dialect_resources: {")
        out.append("    builtin: {")
        out.append(",\n".join(f'      {name}: "{blob}"' for name, blob in self.blobs))
        out.append("    }")
        out.append("  }")
        out.append("#-}")
        return "\n".join(out) + "\n"

    def write(self, path):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(self.text())
        import os
        os.replace(tmp, path)


def layer_net(layer, w, mask):
    """One benchmark layer as a network; no snn.mask when the layer is dense."""
    use_mask = mask if mask is not None and not mask.all() else None
    net = Net(layer.name, layer.x_shape,
              f"Benchmark layer {layer.name}: {layer.desc}. Generated by bench/harness/snn.py.")
    if layer.kind == "fc":
        net.dense("y", w, mask=use_mask)
    else:
        net.conv2d("y", w, mask=use_mask, pad=layer.pad, groups=layer.groups)
    return net
