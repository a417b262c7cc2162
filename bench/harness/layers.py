"""The layers and sparsity patterns of issue 5, in one table.

A layer is a weight W of shape M x Kred applied to an activation with N
"dense" columns:
  * FC:   y = x * W^T, x of N x K (N = batch), W of M x K; Kred = K.
  * conv: weights OIHW, activations NCHW with batch 1; the reduction row of
          output channel o is W[o] flattened as C/groups x KH x KW (row-major),
          so Kred = C/groups * KH * KW and N = OH * OW.
Every peer and sparsec see the same layer through the files data.py writes.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str            # "fc" or "conv"
    desc: str            # for tables
    # FC
    batch: int = 0
    in_features: int = 0
    out_features: int = 0
    # conv (batch 1, NCHW, square kernel, stride 1)
    channels: int = 0
    out_channels: int = 0
    height: int = 0
    width: int = 0
    kernel: int = 1
    pad: int = 0
    groups: int = 1
    dense_only: bool = False

    @property
    def M(self):
        return self.out_features if self.kind == "fc" else self.out_channels

    @property
    def kred(self):
        if self.kind == "fc":
            return self.in_features
        return self.channels // self.groups * self.kernel * self.kernel

    @property
    def out_hw(self):
        return (self.height + 2 * self.pad - self.kernel + 1,
                self.width + 2 * self.pad - self.kernel + 1)

    @property
    def N(self):
        if self.kind == "fc":
            return self.batch
        oh, ow = self.out_hw
        return oh * ow

    @property
    def w_shape(self):
        if self.kind == "fc":
            return (self.out_features, self.in_features)
        return (self.out_channels, self.channels // self.groups, self.kernel, self.kernel)

    @property
    def x_shape(self):
        if self.kind == "fc":
            return (self.batch, self.in_features)
        return (1, self.channels, self.height, self.width)

    @property
    def y_shape(self):
        if self.kind == "fc":
            return (self.batch, self.out_features)
        oh, ow = self.out_hw
        return (1, self.out_channels, oh, ow)

    @property
    def dense_macs(self):
        return self.M * self.kred * self.N

    @property
    def is_pointwise(self):
        return self.kind == "conv" and self.kernel == 1 and self.groups == 1


def fc(name, k, m, batch):
    return Layer(name, "fc", f"FC {k}->{m} batch {batch}", batch=batch,
                 in_features=k, out_features=m)


def conv(name, c, m, hw, k, pad=0, groups=1, dense_only=False):
    what = "depthwise " if groups == c and groups > 1 else ""
    return Layer(name, "conv", f"{what}{k}x{k} conv {c}->{m} @{hw}x{hw}",
                 channels=c, out_channels=m, height=hw, width=hw, kernel=k,
                 pad=pad, groups=groups, dense_only=dense_only)


LAYERS = [
    fc("fc784_b1", 784, 300, 1),
    fc("fc784_b64", 784, 300, 64),
    fc("fc300_b1", 300, 100, 1),
    fc("fc300_b64", 300, 100, 64),
    fc("fc4096_b1", 4096, 4096, 1),
    fc("fc4096_b64", 4096, 4096, 64),
    conv("pw512_14", 512, 512, 14, 1),
    conv("pw128_56", 128, 128, 56, 1),
    conv("conv3_64_56", 64, 64, 56, 3, pad=1),
    conv("dw3_32_112", 32, 32, 112, 3, pad=1, groups=32, dense_only=True),
]
LAYER_BY_NAME = {l.name: l for l in LAYERS}


@dataclass(frozen=True)
class Pattern:
    name: str
    kind: str        # "unstructured", "nm", "block"
    sparsity: float  # target fraction of zeros
    n: int = 0       # N:M keeps n of every m
    m: int = 0
    rows: int = 1    # block R x C: R output rows x C reduction columns
    cols: int = 1

    @property
    def label(self):
        if self.kind == "nm":
            return f"{self.n}:{self.m}"
        if self.kind == "block":
            return f"{self.rows}x{self.cols} blocks {round(self.sparsity * 100)}%"
        return f"{round(self.sparsity * 100)}%"


PATTERNS = [Pattern(f"s{p}", "unstructured", p / 100.0)
            for p in (0, 50, 70, 80, 90, 95, 98)]
PATTERNS += [
    Pattern("nm2_4", "nm", 0.5, n=2, m=4),
    Pattern("b4x1_90", "block", 0.9, rows=4, cols=1),
    Pattern("b1x8_90", "block", 0.9, rows=1, cols=8),
]
PATTERN_BY_NAME = {p.name: p for p in PATTERNS}
DENSE = PATTERN_BY_NAME["s0"]


def patterns_for(layer, wanted):
    """The patterns of `wanted` that apply to `layer` (depthwise is dense only)."""
    if layer.dense_only:
        return [p for p in wanted if p.name == "s0"]
    return list(wanted)


QUICK_LAYERS = ["fc4096_b64", "pw512_14"]
QUICK_PATTERNS = ["s0", "s90"]
