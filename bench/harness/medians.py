"""Issue 5's targets as medians over several runs of bench/run.

    bench/medians DIR [DIR ...]

Each DIR is a results directory of bench/run (results.csv, and e2e.csv where
the run had --e2e). For every (layer, pattern, system, threads) cell the
median of the runs' medians is taken, and the targets' ratios are computed
from those: the machine is shared and noisy, so one run's ratio can land
either side of a target. Prints a markdown table (the README's) and every
run's values of the cells the table uses.
"""
import argparse
import csv
import os
import statistics
import sys

LAYERS = [("pw512_14", "1x1 conv 512 @14²"), ("pw128_56", "1x1 conv 128 @56²"),
          ("fc4096_b64", "FC 4096² batch 64"), ("fc4096_b1", "FC 4096² batch 1 (vs sgemv)"),
          ("conv3_64_56", "3x3 conv 64 @56²"), ("fc784_b64", "FC 784→300 batch 64")]
SPARSE_PEERS = {"eigen-csr": "Eigen", "xnnpack-sparse": "XNNPACK", "mlir-avx2": "MLIR sparsifier",
                "mlir-avx512": "MLIR sparsifier", "torch-csr": "PyTorch CSR"}


def load(dirs, name, key):
    cells = {}
    for d in dirs:
        path = os.path.join(d, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for r in csv.DictReader(f):
                if r["status"] == "ok":
                    cells.setdefault(key(r), []).append(float(r["median_us"]))
    return cells


def main(argv=None):
    ap = argparse.ArgumentParser(prog="bench/medians", description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", help="results directories of bench/run")
    ap.add_argument("--threads", default="1", help="thread count of the layer table (default 1)")
    args = ap.parse_args(argv)
    for d in args.dirs:
        if not os.path.exists(os.path.join(d, "results.csv")):
            sys.exit(f"bench/medians: {d}: no results.csv (not a bench/run results directory)")
    cells = load(args.dirs, "results.csv", lambda r: (r["layer"], r["pattern"], r["system"], r["threads"]))

    def t(layer, pattern, system):
        v = cells.get((layer, pattern, system, args.threads))
        return statistics.median(v) if v else None

    def ratio(a, b):
        return f"{a / b:.2f}x" if a and b else "n/a"

    print(f"Medians of {len(args.dirs)} run(s), {args.threads} thread(s); speedups over OpenBLAS AVX2 "
          "on the dense layer.\n")
    print("| layer | sparsec AVX2 90 % | AVX-512 90 % | AVX2 95 % | AVX2 70 % | best sparse peer 90 % "
          "| vs peer AVX2 / AVX-512 | 2:4 vs own dense AVX2 / AVX-512 | AVX-512 / AVX2 90 % "
          "| dense vs best of OpenBLAS / oneDNN, AVX2 / AVX-512 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for layer, desc in LAYERS:
        base = t(layer, "s0", "openblas-avx2")
        s2 = {p: t(layer, p, "sparsec-avx2") for p in ("s0", "s70", "s90", "s95", "nm2_4")}
        s5 = {p: t(layer, p, "sparsec-avx512") for p in ("s0", "s90", "nm2_4")}
        peers = [(t(layer, "s90", s), s) for s in SPARSE_PEERS if t(layer, "s90", s)]
        peer = min(peers) if peers else (None, None)
        dense2 = min([x for x in (t(layer, "s0", "openblas-avx2"), t(layer, "s0", "onednn-avx2")) if x],
                     default=None)
        dense5 = min([x for x in (t(layer, "s0", "openblas-avx512"), t(layer, "s0", "onednn")) if x],
                     default=None)
        peer_name = f" ({SPARSE_PEERS[peer[1]]})" if peer[1] else ""
        print(f"| {desc} | {ratio(base, s2['s90'])} | {ratio(base, s5['s90'])} | {ratio(base, s2['s95'])} "
              f"| {ratio(base, s2['s70'])} | {ratio(base, peer[0])}{peer_name} "
              f"| {ratio(peer[0], s2['s90'])} / {ratio(peer[0], s5['s90'])} "
              f"| {ratio(s2['s0'], s2['nm2_4'])} / {ratio(s5['s0'], s5['nm2_4'])} "
              f"| {ratio(s2['s90'], s5['s90'])} | {ratio(dense2, s2['s0'])} / {ratio(dense5, s5['s0'])} |")
    dw = "dw3_32_112"
    print(f"| depthwise 3x3 @112² x32 (of oneDNN AVX2 / native) | | | | | | | | "
          f"| {ratio(t(dw, 's0', 'onednn-avx2'), t(dw, 's0', 'sparsec-avx2'))} / "
          f"{ratio(t(dw, 's0', 'onednn'), t(dw, 's0', 'sparsec-avx512'))} |")
    c3 = "conv3_64_56"
    print(f"\n3x3 conv 64 @56², 90 %, vs oneDNN (native): AVX-512 code "
          f"{ratio(t(c3, 's0', 'onednn'), t(c3, 's90', 'sparsec-avx512'))}, AVX2 code "
          f"{ratio(t(c3, 's0', 'onednn'), t(c3, 's90', 'sparsec-avx2'))}")

    e2e = load(args.dirs, "e2e.csv", lambda r: (r["network"], r["system"], r["threads"]))
    if e2e:
        print("\n| network | threads | sparsec | sparsec dense | PyTorch | vs own dense | vs PyTorch |")
        print("|---|---|---|---|---|---|---|")
        for net in sorted({k[0] for k in e2e}):
            for th in sorted({k[2] for k in e2e if k[0] == net}):
                m = {s: statistics.median(e2e[(net, s, th)]) for s in ("sparsec", "sparsec-dense", "torch-dense")
                     if (net, s, th) in e2e}
                fmt = lambda us: f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} us"
                print(f"| {net} | {th} | " + " | ".join(fmt(m[s]) if s in m else "n/a"
                                                      for s in ("sparsec", "sparsec-dense", "torch-dense"))
                      + f" | {ratio(m.get('sparsec-dense'), m.get('sparsec'))} "
                        f"| {ratio(m.get('torch-dense'), m.get('sparsec'))} |")

    print("\nEvery run's medians (us):")
    for (layer, pattern, system, threads), v in sorted(cells.items()):
        if threads == args.threads and system.startswith(("sparsec", "onednn", "openblas-avx2")):
            print(f"  {layer} {pattern} {system}: " + " ".join(f"{x:.1f}" for x in v))
    for (net, system, threads), v in sorted(e2e.items()):
        print(f"  {net} t{threads} {system}: " + " ".join(f"{x:.1f}" for x in v))


if __name__ == "__main__":
    main()
