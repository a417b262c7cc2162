"""Weights, masks, inputs and references, generated once into a cache.

Layout under <cache>/data/v<FORMAT>-seed<SEED>/:
  <layer>/meta.txt        "key value" lines: the shapes every driver reads
  <layer>/w.f32           raw weights (unmasked), OIHW or M x K, little-endian
  <layer>/x.f32           the input, N x K (FC) or 1 x C x H x W (conv)
  <layer>/<pattern>/mask.u8   one byte 0/1 per weight, same order as w.f32
  <layer>/<pattern>/ref.f64   y = layer(x, w * mask) in double precision
  <layer>/<pattern>/meta.txt  pattern name, nonzeros, achieved sparsity
A "done" file is written last, so an interrupted generation is redone.

The raw weights are shared by every pattern of a layer and the masks come from
their magnitudes, so a higher sparsity prunes a superset of a lower one, as
iterative magnitude pruning would.
"""
import os
import zlib

import numpy as np

FORMAT = 1
DEFAULT_SEED = 20261122


def layer_seed(seed, name):
    # crc32, not hash(): Python salts str hashes per process.
    return (seed * 1000003 + zlib.crc32(name.encode())) % (2**32)


def magnitude_mask(scores, keep):
    """1 for the `keep` largest scores (ties: lower index first)."""
    flat = scores.ravel()
    order = np.argsort(-flat, kind="stable")
    mask = np.zeros(flat.size, dtype=np.uint8)
    mask[order[:keep]] = 1
    return mask.reshape(scores.shape)


def make_mask(pattern, w2d):
    """Mask for the M x Kred view of the weights."""
    mag = np.abs(w2d)
    m_rows, k = mag.shape
    if pattern.kind == "unstructured":
        keep = int(round((1.0 - pattern.sparsity) * mag.size))
        return magnitude_mask(mag, keep)
    if pattern.kind == "nm":
        if k % pattern.m:
            raise ValueError(f"{pattern.name}: reduction length {k} is not a multiple of {pattern.m}")
        groups = mag.reshape(m_rows, k // pattern.m, pattern.m)
        # Rank within each group of m consecutive reduction elements.
        order = np.argsort(-groups, axis=2, kind="stable")
        mask = np.zeros_like(groups, dtype=np.uint8)
        np.put_along_axis(mask, order[:, :, :pattern.n], 1, axis=2)
        return mask.reshape(m_rows, k)
    if pattern.kind == "block":
        r, c = pattern.rows, pattern.cols
        mb, kb = -(-m_rows // r), -(-k // c)
        padded = np.zeros((mb * r, kb * c))
        padded[:m_rows, :k] = mag
        # A block's score is its mean magnitude over the elements inside the
        # layer, so the partial blocks at the edges are not penalised.
        inside = np.zeros_like(padded)
        inside[:m_rows, :k] = 1
        score = padded.reshape(mb, r, kb, c).sum(axis=(1, 3))
        count = inside.reshape(mb, r, kb, c).sum(axis=(1, 3))
        keep = int(round((1.0 - pattern.sparsity) * mb * kb))
        bmask = magnitude_mask(score / count, keep)
        full = np.repeat(np.repeat(bmask, r, axis=0), c, axis=1)
        return full[:m_rows, :k].astype(np.uint8)
    raise ValueError(pattern.kind)


def im2col(x, layer):
    """x: C x H x W -> (C*KH*KW) x (OH*OW), zero padding, stride 1."""
    c, h, w = x.shape
    k, p = layer.kernel, layer.pad
    oh, ow = layer.out_hw
    xp = np.zeros((c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    xp[:, p:p + h, p:p + w] = x
    cols = np.empty((c, k, k, oh, ow), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, i, j] = xp[:, i:i + oh, j:j + ow]
    return cols.reshape(c * k * k, oh * ow)


def reference(layer, w, x):
    """The layer in float64 with plain numpy: the yardstick for every system."""
    w = w.astype(np.float64)
    x = x.astype(np.float64)
    if layer.kind == "fc":
        return x @ w.T
    oh, ow = layer.out_hw
    g = layer.groups
    cg, mg = layer.channels // g, layer.out_channels // g
    out = np.empty((layer.out_channels, oh * ow))
    for gi in range(g):
        cols = im2col(x[0, gi * cg:(gi + 1) * cg], layer)
        wg = w[gi * mg:(gi + 1) * mg].reshape(mg, -1)
        out[gi * mg:(gi + 1) * mg] = wg @ cols
    return out.reshape(layer.y_shape)


def write_kv(path, items):
    with open(path, "w") as f:
        for k, v in items:
            f.write(f"{k} {v}\n")


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, v = line.split(None, 1)
            out[k] = v.strip()
    return out


class Store:
    def __init__(self, cache, seed=DEFAULT_SEED):
        self.root = os.path.join(cache, "data", f"v{FORMAT}-seed{seed}")
        self.seed = seed

    def layer_dir(self, layer):
        return os.path.join(self.root, layer.name)

    def case_dir(self, layer, pattern):
        return os.path.join(self.root, layer.name, pattern.name)

    def ensure_layer(self, layer):
        d = self.layer_dir(layer)
        if os.path.exists(os.path.join(d, "done")):
            return d
        os.makedirs(d, exist_ok=True)
        rng = np.random.default_rng(layer_seed(self.seed, layer.name))
        fan_in = layer.kred
        bound = 1.0 / np.sqrt(fan_in)  # PyTorch's default initialisation range
        w = rng.uniform(-bound, bound, size=layer.w_shape).astype(np.float32)
        x = rng.uniform(-1.0, 1.0, size=layer.x_shape).astype(np.float32)
        w.tofile(os.path.join(d, "w.f32"))
        x.tofile(os.path.join(d, "x.f32"))
        oh, ow = layer.out_hw if layer.kind == "conv" else (1, 1)
        write_kv(os.path.join(d, "meta.txt"), [
            ("name", layer.name), ("kind", layer.kind),
            ("M", layer.M), ("K", layer.kred), ("N", layer.N),
            ("C", layer.channels or layer.in_features), ("H", layer.height or 1),
            ("W", layer.width or 1), ("KH", layer.kernel), ("KW", layer.kernel),
            ("pad", layer.pad), ("groups", layer.groups), ("OH", oh), ("OW", ow),
        ])
        open(os.path.join(d, "done"), "w").close()
        return d

    def load_layer(self, layer):
        d = self.ensure_layer(layer)
        w = np.fromfile(os.path.join(d, "w.f32"), dtype=np.float32).reshape(layer.w_shape)
        x = np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32).reshape(layer.x_shape)
        return w, x

    def ensure_case(self, layer, pattern):
        d = self.case_dir(layer, pattern)
        if os.path.exists(os.path.join(d, "done")):
            return d
        w, x = self.load_layer(layer)
        os.makedirs(d, exist_ok=True)
        mask = make_mask(pattern, w.reshape(layer.M, -1)).reshape(layer.w_shape)
        mask.tofile(os.path.join(d, "mask.u8"))
        ref = reference(layer, w * mask, x)
        ref.tofile(os.path.join(d, "ref.f64"))
        nnz = int(mask.sum())
        write_kv(os.path.join(d, "meta.txt"), [
            ("pattern", pattern.name), ("nnz", nnz),
            ("sparsity", f"{1.0 - nnz / mask.size:.6f}"),
        ])
        open(os.path.join(d, "done"), "w").close()
        return d

    def load_case(self, layer, pattern):
        d = self.ensure_case(layer, pattern)
        mask = np.fromfile(os.path.join(d, "mask.u8"), dtype=np.uint8).reshape(layer.w_shape)
        ref = np.fromfile(os.path.join(d, "ref.f64"), dtype=np.float64).reshape(layer.y_shape)
        return mask, ref, read_kv(os.path.join(d, "meta.txt"))


def max_rel_error(got, ref):
    """max |a-b| / max(|b|, 1e-3 * max|b|): relative, but not blown up by near-zeros."""
    ref = np.asarray(ref, dtype=np.float64).ravel()
    got = np.asarray(got, dtype=np.float64).ravel()
    if got.size != ref.size:
        return float("inf")
    if not np.all(np.isfinite(got)):
        return float("inf")
    scale = np.maximum(np.abs(ref), 1e-3 * max(np.abs(ref).max(), 1e-30))
    return float((np.abs(got - ref) / scale).max())


TOLERANCE = 1e-3
