#!/usr/bin/env python3
"""Random networks for the structure passes' tests, built with netgen.

  randnet.py SEED -o net.mlir [--input x.f32]

The same seed gives the same network and input everywhere. The networks are
what the passes look for: conv2d layers (some depthwise) with batch norms,
residual adds, pools, a flatten or a global pool, then dense layers, some of
them back to back with nothing between (snn-merge-linear) or of low rank
(snn-low-rank); weights are pruned at random, by N:M or blocks, or by whole
output units, which leaves dead units with non-zero biases
(snn-eliminate-dead). --input writes a random input of the network's shape,
uniform in [-1, 1).
"""
import argparse
import random
import struct

import netgen


def pruning(rng, rows_per_group=1):
    """(sparsity, pattern) for one layer."""
    kind = rng.choice(["none", "random", "channel", "channel", "nm", "block"])
    if kind == "none":
        return 0.0, "random"
    if kind == "random":
        return rng.choice([0.3, 0.6, 0.9]), "random"
    if kind == "channel":
        return rng.choice([0.25, 0.5]), "channel"
    if kind == "nm":
        return 0.5, rng.choice(["nm:2:4", "nm:4:8", "nm:1:4"])
    r = rng.choice([d for d in (1, 2, 4) if rows_per_group % d == 0])
    return 0.5, f"block:{r}:{rng.choice([1, 4])}"


def activate(net, rng, x):
    kind = rng.choice(["relu", "relu", "sigmoid", "tanh", "none"])
    return x if kind == "none" else getattr(net, kind)(x)


def conv_stage(net, rng, x):
    c, h, w = x.shape[1:]
    kind = rng.choice(["conv", "depthwise", "residual", "pool"])
    if kind == "pool" and min(h, w) < 4:
        kind = "conv"
    if kind == "pool":
        return net.pool(x, rng.choice(["max", "avg"]), (2, 2), (2, 2),
                        padding=rng.choice([(0, 0), (1, 1)]),
                        count_include_pad=rng.random() < 0.5)
    k = 3 if min(h, w) >= 3 else 1
    pad = (k // 2,) * 4 if kind != "conv" or rng.random() < 0.5 else (0,) * 4
    if kind == "depthwise":
        y = net.conv2d(x, c, (k, k), padding=pad, groups=c,
                       bias=rng.random() < 0.7)
    else:
        out = c if kind == "residual" else rng.randint(2, 8)
        sparsity, pattern = pruning(rng, out)
        y = net.conv2d(x, out, (k, k), padding=pad, bias=rng.random() < 0.8,
                       sparsity=sparsity, pattern=pattern)
    if rng.random() < 0.5:
        y = net.batchnorm(y)
    y = activate(net, rng, y)
    return net.add(y, x) if kind == "residual" else y


def build(seed):
    rng = random.Random(seed)
    batch = rng.choice([1, 2, 3])
    side = rng.choice([5, 6, 8, 9])
    net = netgen.Net(f"rand{seed}", [batch, rng.randint(1, 5), side, side],
                     seed=seed)
    x = net.input
    for _ in range(rng.randint(2, 4)):
        x = conv_stage(net, rng, x)
    if rng.random() < 0.3:
        x = net.global_avgpool(x)
    x = net.flatten(x)
    for i in range(rng.randint(1, 3)):
        out = rng.randint(4, 24)
        sparsity, pattern = pruning(rng)
        rank = rng.choice([None, None, 2])
        if rank:
            sparsity, pattern = 0.0, "random"
        x = net.dense(x, out, bias=rng.random() < 0.8, sparsity=sparsity,
                      pattern=pattern, rank=rank)
        if rng.random() < 0.3:
            x = net.dropout(x)
        elif rng.random() < 0.7:
            x = activate(net, rng, x)
    x = net.dense(x, rng.randint(2, 10))
    if rng.random() < 0.3:
        x = net.softmax(x)
    net.ret(x)
    return net


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("-o", dest="output", required=True)
    parser.add_argument("--input")
    args = parser.parse_args()
    net = build(args.seed)
    with open(args.output, "w") as f:
        f.write(net.mlir())
    if args.input:
        rng = random.Random(args.seed)
        n = 1
        for d in net.input.shape:
            n *= d
        with open(args.input, "wb") as f:
            f.write(struct.pack(f"<{n}f", *[rng.uniform(-1, 1) for _ in range(n)]))


if __name__ == "__main__":
    main()
