#!/usr/bin/env python3
"""Writes or prints raw little-endian float32 files for the lit tests.

  f32.py FILE "EXPR"       writes the floats of the Python list EXPR to FILE
  f32.py --print FILE      prints FILE's floats, one per line
  f32.py --compare A B [--rtol T]
                           compares A against the reference B: the largest
                           |a - b| / max(|b|, 1e-2 * max|b|) must be <= T
                           (default 1e-4), the definition sparsec's
                           maxRelativeError uses; exits 1 and says where
                           they disagree otherwise
  f32.py --random FILE N SEED [LO HI]
                           writes N uniform floats in [LO, HI) (default -1, 1)
"""
import math
import random
import struct
import sys


def read(path):
    data = open(path, "rb").read()
    return [v for (v,) in struct.iter_unpack("<f", data)]


def max_relative_error(a, b):
    """max |a - b| / max(|b|, 1e-2 * max|b|), and where it is; NaN or Inf
    count only where both sides agree on them."""
    if len(a) != len(b):
        return math.inf, -1
    finite = [abs(v) for v in b if math.isfinite(v)]
    scale = max(finite) if finite else 0.0
    floor = 1e-2 * scale if scale > 0 else 1e-30
    worst, where = 0.0, -1
    for i, (x, y) in enumerate(zip(a, b)):
        if math.isnan(x) or math.isnan(y):
            if math.isnan(x) != math.isnan(y):
                return math.inf, i
            continue
        if math.isinf(x) or math.isinf(y):
            if x != y:
                return math.inf, i
            continue
        err = abs(x - y) / max(abs(y), floor)
        if err > worst:
            worst, where = err, i
    return worst, where


def compare(a_path, b_path, rtol):
    a, b = read(a_path), read(b_path)
    if len(a) != len(b):
        print(f"{a_path} has {len(a)} floats, {b_path} has {len(b)}")
        return 1
    worst, where = max_relative_error(a, b)
    if not worst <= rtol:
        print(f"max relative error {worst:.3g} > {rtol:g} at element {where}: "
              f"{a[where]!r} vs reference {b[where]!r}")
        return 1
    print(f"max relative error {worst:.3g} <= {rtol:g} over {len(a)} floats")
    return 0


def main():
    if sys.argv[1] == "--compare":
        rtol = 1e-4
        if len(sys.argv) > 5 and sys.argv[4] == "--rtol":
            rtol = float(sys.argv[5])
        sys.exit(compare(sys.argv[2], sys.argv[3], rtol))
    if sys.argv[1] == "--random":
        n, seed = int(sys.argv[3]), int(sys.argv[4])
        lo = float(sys.argv[5]) if len(sys.argv) > 5 else -1.0
        hi = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
        rng = random.Random(seed)
        with open(sys.argv[2], "wb") as f:
            f.write(struct.pack(f"<{n}f", *[rng.uniform(lo, hi) for _ in range(n)]))
        return
    if sys.argv[1] == "--print":
        data = open(sys.argv[2], "rb").read()
        for (v,) in struct.iter_unpack("<f", data):
            print(f"{v:.6g}")
        return
    values = eval(sys.argv[2], {"range": range, "list": list})
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack(f"<{len(values)}f", *values))


if __name__ == "__main__":
    main()
