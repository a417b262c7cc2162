"""Random layer stacks for the randomised differential test.

RANDOM_STACKS_COUNT networks (default 40) from RANDOM_STACKS_SEED (default
1): image networks (conv with random kernel, stride, padding, dilation,
groups; batch norm, activations, residual adds, max/avg pooling, global
pooling) or vector networks, ending in dense layers, with odd sizes (7x13,
channels not divisible by a vector), random sparsity from 0 to 99 % in every
pattern and every kernel format. A failing network's name carries its seed:
rerun it alone with RANDOM_STACKS_SEED=<seed> RANDOM_STACKS_COUNT=1.
"""
import os
import random

import netgen


def sparse_choice(rng, rows_per_group):
    """A (sparsity, pattern, format) triple that fits together."""
    kind = rng.choice(["auto", "dense", "csr", "nm", "block", "channel"])
    sparsity = rng.choice([0.0, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, rng.random()])
    if kind == "dense":
        return sparsity, "random", "dense"
    if kind == "csr":
        return sparsity, "random", "csr"
    if kind == "channel":
        return min(sparsity, 0.9), "channel", rng.choice([None, "csr"])
    if kind == "nm":
        n, m = rng.choice([(1, 2), (2, 4), (1, 4), (4, 8), (3, 5)])
        return 1.0 - n / m, f"nm:{n}:{m}", f"nm, {n}, {m}"
    if kind == "block":
        r = rng.choice([d for d in (1, 2, 4) if rows_per_group % d == 0])
        c = rng.choice([1, 2, 4, 8])
        return sparsity, f"block:{r}:{c}", f"block, {r}, {c}"
    return sparsity, "random", None


def activation(net, rng, x):
    kind = rng.choice(["relu", "relu", "sigmoid", "tanh", "none"])
    return x if kind == "none" else getattr(net, kind)(x)


def image_net(name, rng):
    n = rng.choice([1, 1, 2])
    c = rng.randint(1, 13)
    h, w = rng.choice([(7, 13), (13, 7), (5, 5), (9, 11), (16, 16), (20, 17)])
    net = netgen.Net(name, [n, c, h, w], seed=rng.randrange(1 << 30))
    x = net.input
    for _ in range(rng.randint(1, 3)):
        c, h, w = x.shape[1:]
        k = rng.choice([1, 3, 3, 5])
        d = rng.choice([1, 1, 2])
        s = rng.choice([1, 1, 2])
        p = rng.choice([0, (k - 1) * d // 2])
        if h + 2 * p < d * (k - 1) + 1 or w + 2 * p < d * (k - 1) + 1:
            k, d, p = 1, 1, 0
        groups = 1
        out = rng.randint(1, 20)
        if rng.random() < 0.25:
            groups, out = c, c
        elif c % 2 == 0 and out % 2 == 0 and rng.random() < 0.2:
            groups = 2
        sparsity, pattern, fmt = sparse_choice(rng, out // groups)
        y = net.conv2d(x, out, (k, k), stride=(s, s), padding=(p, p, p, p),
                       dilation=(d, d), groups=groups, bias=rng.random() < 0.8,
                       sparsity=sparsity, pattern=pattern, fmt=fmt)
        if rng.random() < 0.3:
            y = net.batchnorm(y)
        y = activation(net, rng, y)
        if y.shape == x.shape and rng.random() < 0.5:
            y = net.add(y, x)
        x = y
        h, w = x.shape[2:]
        if rng.random() < 0.4 and h >= 2 and w >= 2:
            kind = rng.choice(["max", "avg"])
            kk = rng.choice([2, 3]) if min(h, w) >= 3 else 2
            pad = rng.choice([0, kk // 2])
            x = net.pool(x, kind, (kk, kk), (2, 2), padding=(pad, pad),
                         ceil=rng.random() < 0.3,
                         count_include_pad=rng.random() < 0.5)
    if rng.random() < 0.3:
        x = net.global_avgpool(x)
    return net, net.flatten(x)


def vector_net(name, rng):
    n = rng.choice([1, 2, 3, 5, 8, 16, 17, 64])
    f = rng.randint(3, 100)
    net = netgen.Net(name, [n, f], seed=rng.randrange(1 << 30))
    return net, net.input


def build():
    count = int(os.environ.get("RANDOM_STACKS_COUNT", "40"))
    seed = int(os.environ.get("RANDOM_STACKS_SEED", "1"))
    nets = []
    for i in range(count):
        rng = random.Random(seed + i)
        name = f"random_{seed + i}"
        net, x = (image_net if rng.random() < 0.7 else vector_net)(name, rng)
        for _ in range(rng.randint(1, 3)):
            out = rng.randint(1, 40)
            sparsity, pattern, fmt = sparse_choice(rng, out)
            x = net.dense(x, out, bias=rng.random() < 0.8, sparsity=sparsity,
                          pattern=pattern, fmt=fmt)
            x = activation(net, rng, x)
        if rng.random() < 0.3:
            x = net.softmax(x)
        net.ret(x)
        nets.append(net)
    return nets
