#!/usr/bin/env python3
"""Checks that function-preserving passes keep what networks compute.

  preserve.py --sparsec-opt PATH --sparsec PATH --seeds A:B --workdir DIR
              [--rtol R] PIPELINE...

For every seed in [A, B) it builds randnet's network, runs the reference
executor (`sparsec run`) on randnet's input, applies each PIPELINE (a
func.func pass pipeline, e.g. "snn-eliminate-dead") with sparsec-opt, runs
the result on the same input and compares: the largest |a - b| /
max(|b|, 1e-2 max|b|) must not exceed --rtol (default 1e-5). A pipeline
that starts with "snn-set-batch{batch=K}" (K a multiple of the network's
batch) runs on K / batch copies of the input and must give as many copies
of the output. Prints a line per failure and a summary "preserve: N of M
cases passed, C changed the network" (by `sparsec stats`); exits 1 on
failure.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import f32  # noqa: E402
import randnet  # noqa: E402


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sparsec-opt", required=True)
    parser.add_argument("--sparsec", required=True)
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("pipelines", nargs="+")
    args = parser.parse_args()
    first, last = (int(v) for v in args.seeds.split(":"))
    os.makedirs(args.workdir, exist_ok=True)
    cases = passed = changed = 0
    for seed in range(first, last):
        net = randnet.build(seed)
        base = os.path.join(args.workdir, f"rand{seed}")
        subprocess.run([sys.executable, os.path.join(HERE, "randnet.py"),
                        str(seed), "-o", base + ".mlir", "--input",
                        base + ".x"], check=True)
        r = run([args.sparsec, "run", base + ".mlir", "-i", base + ".x",
                 "-o", base + ".y"])
        if r.returncode:
            print(f"FAIL seed {seed}: sparsec run: {r.stderr.strip()}")
            cases += 1
            continue
        batch = net.input.shape[0]
        for i, pipeline in enumerate(args.pipelines):
            cases += 1
            out = f"{base}.p{i}"
            what = f"seed {seed} {pipeline}"
            r = run([args.sparsec_opt, base + ".mlir",
                     f"--pass-pipeline=builtin.module(func.func({pipeline}))",
                     "-o", out + ".mlir"])
            if r.returncode:
                print(f"FAIL {what}: {r.stderr.strip()}")
                continue
            x, y = base + ".x", base + ".y"
            m = re.match(r"snn-set-batch\{batch=(\d+)\}", pipeline)
            if m:
                copies = int(m.group(1)) // batch
                if copies * batch != int(m.group(1)):
                    print(f"FAIL {what}: batch {m.group(1)} is not a multiple of {batch}")
                    continue
                for src, dst in ((x, out + ".x"), (y, out + ".yref")):
                    with open(src, "rb") as f:
                        data = f.read()
                    with open(dst, "wb") as f:
                        f.write(data * copies)
                x, y = out + ".x", out + ".yref"
            r = run([args.sparsec, "run", out + ".mlir", "-i", x, "-o",
                     out + ".y"])
            if r.returncode:
                print(f"FAIL {what}: sparsec run: {r.stderr.strip()}")
                continue
            worst, where = f32.max_relative_error(f32.read(out + ".y"),
                                                  f32.read(y))
            if not worst <= args.rtol:
                print(f"FAIL {what}: max relative error {worst:.3g} at {where}")
                continue
            passed += 1
            before = run([args.sparsec, "stats", "--json", base + ".mlir"]).stdout
            after = run([args.sparsec, "stats", "--json", out + ".mlir"]).stdout
            changed += before != after
    print(f"preserve: {passed} of {cases} cases passed, {changed} changed the network")
    sys.exit(0 if passed == cases else 1)


if __name__ == "__main__":
    main()
