#!/usr/bin/env python3
"""Training-step speed: sparsec's masked fine-tuning vs PyTorch's dense step.

  bench/train_speed.py [--sparsity 0.95] [--batch 128] [--threads 2] [--repeats 3]
                       [--kernels reference,halide]

LeNet-300-100 (examples/train/make_nets.py), pruned with `sparsec prune
--scope global`, fine-tuned by `sparsec train` for one epoch over the first
12800 MNIST training images (masked updates: pruned weights stay zero); its
JSON log gives examples per second. PyTorch 1.13 (/usr/bin/python3) runs the
same dense network's SGD step (forward, cross-entropy, backward, update) on
the same images, batch and thread count. Prints both (median of --repeats
runs) and the ratio. Needs build/bin/sparsec and MNIST in .cache/data/mnist
(`bash .ci/fetch-data.sh mnist`). A benchmark, not a test.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sparsec_rate(sparsec, net, data, args, work, kernel):
    pruned = os.path.join(work, "pruned.mlir")
    subprocess.run([sparsec, "prune", net, "-o", pruned, "--sparsity", str(args.sparsity),
                    "--scope", "global"], check=True, stdout=subprocess.DEVNULL)
    rates = []
    for i in range(args.repeats):
        log = os.path.join(work, f"log{i}.json")
        subprocess.run([sparsec, "train", pruned, "--data", data, "-o", os.path.join(work, "out.mlir"),
                        "--epochs", "1", "--batch-size", str(args.batch), "--optimizer", "sgd",
                        "--lr", "0.01", "--limit-train", str(args.examples), "--limit-test", "100",
                        "--threads", str(args.threads), "--progress", "none", "--log", log,
                        "--kernel", kernel],
                       check=True, stdout=subprocess.DEVNULL)
        rates.append(json.load(open(log))["epochs"][0]["examples_per_second"])
    return statistics.median(rates)


def torch_rate(data, args):
    code = f"""
import struct, time, torch, statistics
torch.set_num_threads({args.threads})
torch.manual_seed(0)
raw = open({os.path.join(data, 'train-images-idx3-ubyte')!r}, 'rb').read()
lab = open({os.path.join(data, 'train-labels-idx1-ubyte')!r}, 'rb').read()
n = {args.examples}
x = torch.frombuffer(bytearray(raw[16:16 + n * 784]), dtype=torch.uint8).float().div(255).view(n, 784)
y = torch.frombuffer(bytearray(lab[8:8 + n]), dtype=torch.uint8).long()
net = torch.nn.Sequential(torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100),
                          torch.nn.ReLU(), torch.nn.Linear(100, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.01)
loss_fn = torch.nn.CrossEntropyLoss()
rates = []
for r in range({args.repeats}):
    t0 = time.perf_counter()
    for i in range(0, n - {args.batch} + 1, {args.batch}):
        opt.zero_grad()
        loss = loss_fn(net(x[i:i + {args.batch}]), y[i:i + {args.batch}])
        loss.backward()
        opt.step()
    rates.append((n // {args.batch}) * {args.batch} / (time.perf_counter() - t0))
print(statistics.median(rates))
"""
    # OpenBLAS keeps its own thread pool (one thread per core unless told):
    # held to the same count, or "1 thread" is not one.
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads),
               OMP_NUM_THREADS=str(args.threads))
    r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                       check=True, env=env)
    return float(r.stdout.strip())


def blas():
    """The BLAS PyTorch's libblas.so.3 resolves to: Debian's reference BLAS
    unless an optimised one (OpenBLAS, which bench/run installs) provides the
    alternative. A peer on the reference BLAS is no fair peer."""
    path = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    return path, "openblas" in path or "blis" in path or "mkl" in path


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sparsity", type=float, default=0.95)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--examples", type=int, default=12800)
    p.add_argument("--kernels", default="reference,halide",
                   help="sparsec's step kernels to time (comma-separated)")
    p.add_argument("--sparsec", default=os.path.join(ROOT, "build", "bin", "sparsec"))
    p.add_argument("--data", default=os.path.join(ROOT, ".cache", "data", "mnist"))
    args = p.parse_args()
    if not os.path.exists(os.path.join(args.data, "train-images-idx3-ubyte")):
        sys.exit(f"no MNIST in {args.data}: run bash .ci/fetch-data.sh mnist")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "train", "make_nets.py"), work],
                       check=True, stdout=subprocess.DEVNULL)
        rates = {k: sparsec_rate(args.sparsec, os.path.join(work, "lenet300.mlir"), args.data,
                                 args, work, k)
                 for k in args.kernels.split(",")}
    t = torch_rate(args.data, args)
    print(f"LeNet-300-100, batch {args.batch}, {args.threads} threads, median of {args.repeats}:")
    for k, s in rates.items():
        print(f"  sparsec masked fine-tuning at {args.sparsity:.0%}, {k} kernels: "
              f"{s:,.0f} examples/s ({s / t:.2f}x PyTorch)")
    print(f"  PyTorch 1.13 dense SGD step: {t:,.0f} examples/s")
    path, fast = blas()
    print(f"  PyTorch's BLAS: {path}")
    if not fast:
        print("  warning: that is the reference BLAS; install libopenblas0-pthread "
              "(bench/run does) for a fair comparison", file=sys.stderr)


if __name__ == "__main__":
    main()
