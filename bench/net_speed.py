#!/usr/bin/env python3
"""Latency of two networks compiled by sparsec, measured in the same run.

  bench/net_speed.py a.mlir b.mlir [--target host] [--repeats 3000] [--rounds 7]

Compiles both with `sparsec compile` (build/bin/sparsec), links each with
test/Utils/harness.c, runs each --repeats times per round on a zero input,
alternating a and b for --rounds rounds, and prints the median microseconds
per inference and the ratio a / b. Used for the group-lasso + channel
pruning row of the README (the dense LeNet-5 against the one channel
pruning made smaller, both on dense kernels). A benchmark, not a test.
"""
import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("nets", nargs=2)
    p.add_argument("--target", default="host")
    p.add_argument("--repeats", type=int, default=3000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--sparsec", default=os.path.join(ROOT, "build", "bin", "sparsec"))
    args = p.parse_args()
    harness = os.path.join(ROOT, "test", "Utils", "harness.c")
    with tempfile.TemporaryDirectory() as work:
        exes, sizes = [], []
        for i, net in enumerate(args.nets):
            m = re.search(r"func\.func @([A-Za-z_][A-Za-z0-9_]*)\(%\w+: tensor<([0-9x]+)xf32>",
                          open(net).read())
            if not m:
                raise SystemExit(f"{net}: no network function found")
            name, shape = m.group(1), m.group(2)
            size = 1
            for d in shape.split("x"):
                size *= int(d)
            obj = os.path.join(work, f"n{i}.o")
            subprocess.run([args.sparsec, "compile", net, "-o", obj, f"--target={args.target}"],
                           check=True)
            exe = os.path.join(work, f"n{i}")
            subprocess.run(["cc", "-O1", f"-DNET={name}", "-include", os.path.join(work, f"n{i}.h"),
                            harness, obj, "-o", exe, "-lpthread", "-ldl", "-lm"], check=True)
            inp = os.path.join(work, f"in{i}.f32")
            with open(inp, "wb") as f:
                f.write(b"\0" * 4 * size)
            exes.append((exe, inp))
        times = [[], []]
        for _ in range(args.rounds):
            for i, (exe, inp) in enumerate(exes):
                t0 = time.perf_counter()
                subprocess.run([exe, inp, os.path.join(work, f"out{i}.f32"), str(args.repeats)],
                               check=True)
                times[i].append((time.perf_counter() - t0) / args.repeats * 1e6)
        a, b = statistics.median(times[0]), statistics.median(times[1])
        print(f"{args.nets[0]}: {a:.1f} us per inference")
        print(f"{args.nets[1]}: {b:.1f} us per inference")
        print(f"ratio: {a / b:.2f}x (median of {args.rounds} rounds of {args.repeats})")


if __name__ == "__main__":
    main()
