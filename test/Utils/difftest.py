#!/usr/bin/env python3
"""Differential test: compiled networks against the reference executor.

  difftest.py SPEC [--targets avx2,avx512,neon] [--threads N] [--seed S]
              [--rtol R] [--sparsec PATH] [--workdir DIR] [--jobs J]
              [--special]

SPEC is a .mlir file (every func.func in it is tested) or a .py file whose
build() returns netgen.Net objects. For every network and target it runs
`sparsec compile`, links test/Utils/harness.c against the object with the
target's C compiler (aarch64-linux-gnu-gcc for neon, run under qemu-aarch64),
runs it on seeded random input, and compares the output with `sparsec run`
on the same input: the largest |a - b| / max(|b|, 1e-2 * max|b|) must not
exceed --rtol (default 1e-4). --special also feeds inputs full of NaN, Inf
and huge values, which must run (exit 0) without crashing.

On a machine without AVX-512 the avx512 cases are compiled and linked but
not run: each prints "PASS (compiled and linked only)" and the summary says
how many there were, so a FileCheck line on the summary's count still holds
while the output shows what was checked.

Prints one line per case and a summary; exits 1 if any case failed.
"""
import argparse
import concurrent.futures
import importlib.util
import os
import random
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import f32  # noqa: E402

TARGETS = {
    "host": ("host", "cc", []),
    "avx2": ("x86-64-avx2", "cc", []),
    "avx512": ("x86-64-avx512", "cc", []),
    "neon": ("arm64-neon", "aarch64-linux-gnu-gcc",
             ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]),
}


def load_networks(spec, workdir):
    """Returns [(mlir path, function name)]."""
    if spec.endswith(".py"):
        module_spec = importlib.util.spec_from_file_location("spec", spec)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        out = []
        nets = module.build()
        names = [net.name for net in nets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            sys.exit(f"{spec}: network names must be unique: {', '.join(duplicates)}")
        for net in nets:
            path = os.path.join(workdir, net.name + ".mlir")
            with open(path, "w") as f:
                f.write(net.mlir())
            out.append((path, net.name))
        return out
    text = open(spec).read()
    return [(spec, name) for name in re.findall(r"func\.func @([A-Za-z_][\w]*)", text)]


def input_size(mlir, function):
    text = open(mlir).read()
    m = re.search(r"func\.func @" + re.escape(function) + r"\(%\w+: tensor<([0-9x]+)xf32>", text)
    return eval("*".join(m.group(1).split("x")))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def case(args, mlir, function, target, seed, link_only=False):
    tname, cc, runner = TARGETS[target]
    stem = os.path.join(args.workdir, f"{function}-{target}-t{args.threads}")
    r = run([args.sparsec, "compile", mlir, "--function", function, "-o",
             stem + ".o", f"--target={tname}", f"--threads={args.threads}",
             *args.compile_flag])
    if r.returncode:
        return False, f"compile failed:\n{r.stderr}"
    r = run([cc, "-O1", f"-DNET={function}", "-include", stem + ".h",
             os.path.join(HERE, "harness.c"), stem + ".o", "-o", stem + ".exe",
             "-lpthread", "-ldl", "-lm"])
    if r.returncode:
        return False, f"link failed:\n{r.stderr}"
    if link_only:
        return True, "compiled and linked only: this machine has no AVX-512"
    n = input_size(mlir, function)
    rng = random.Random(seed)
    inputs = [("random", [rng.uniform(-1.0, 1.0) for _ in range(n)])]
    if args.special:
        specials = [float("nan"), float("inf"), -float("inf"), 3e38, -3e38, 0.0]
        inputs.append(("special", [rng.choice(specials) if rng.random() < 0.3
                                   else rng.uniform(-1, 1) for _ in range(n)]))
    worst = 0.0
    for kind, values in inputs:
        inp = f"{stem}.{kind}.in"
        with open(inp, "wb") as fh:
            fh.write(struct.pack(f"<{n}f", *values))
        out, ref = f"{stem}.{kind}.out", f"{stem}.{kind}.ref"
        r = run(runner + [stem + ".exe", inp, out], timeout=600)
        if r.returncode:
            return False, f"{kind} input: the compiled network exited {r.returncode}:\n{r.stderr}"
        if kind != "random":
            continue
        r = run([args.sparsec, "run", mlir, "--function", function, "-i", inp, "-o", ref])
        if r.returncode:
            return False, f"sparsec run failed:\n{r.stderr}"
        a, b = f32.read(out), f32.read(ref)
        err, _ = f32.max_relative_error(a, b)
        worst = max(worst, err)
        if not err <= args.rtol:
            return False, f"max relative error {err:.3g} > {args.rtol:g}"
    return True, f"max relative error {worst:.2g}"


def has_avx512():
    try:
        return "avx512f" in open("/proc/cpuinfo").read()
    except OSError:
        return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("spec")
    p.add_argument("--targets", default="avx2,avx512,neon")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--sparsec", default="sparsec")
    p.add_argument("--workdir", default=".")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--special", action="store_true")
    p.add_argument("--compile-flag", action="append", default=[],
                   help="one more argument for `sparsec compile` (repeatable)")
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    nets = load_networks(args.spec, args.workdir)
    targets = args.targets.split(",")
    for t in targets:
        if t not in TARGETS:
            sys.exit(f"unknown target {t}")
    # Without AVX-512 here, its cases still check compilation and linking.
    link_only = {"avx512"} if not has_avx512() else set()
    jobs = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for i, (mlir, fn) in enumerate(nets):
            for t in targets:
                jobs.append(((fn, t), pool.submit(case, args, mlir, fn, t, args.seed + i,
                                                     t in link_only)))
        failed = not_run = 0
        for (fn, t), fut in jobs:
            try:
                ok, msg = fut.result()
            except Exception as e:  # a timeout or a crash of this script
                ok, msg = False, repr(e)
            print(f"{'PASS' if ok else 'FAIL'}: {fn} [{t}] {msg}", flush=True)
            failed += not ok
            not_run += ok and t in link_only
    note = (f" ({not_run} of them compiled and linked only: no AVX-512 on this machine)"
            if not_run else "")
    print(f"difftest: {len(jobs) - failed} of {len(jobs)} cases passed{note}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
