"""PyTorch 1.13 peer: dense (F.linear / F.conv2d) and CSR (torch.sparse_csr).

Run as a long-lived worker by Debian's /usr/bin/python3, the only
interpreter that sees python3-torch:
    /usr/bin/python3 torch_peer.py --threads T
reads one JSON job per line on stdin, {"case": DIR, "variant": "dense"|"csr",
"out": FILE, "samples": S, "min_sample": s, "max_time": s, "warmup": s}, and answers each
with one JSON line in the same format as the C++ drivers
(bench/drivers/common.cpp), timed the same way. One process serves every case
of a run because importing torch costs seconds. bench/e2e uses measure() too.

CSR: y^T = W_csr @ X with X = x^T for FC (a view, so inside the timed
region at no cost), the NCHW input for a 1x1 conv, and F.unfold (im2col,
timed) for a 3x3 conv.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_kv(path):
    with open(path) as f:
        return {k: v for k, v in (line.split(None, 1) for line in f)}


def load_case(case_dir):
    layer_dir = os.path.join(case_dir, "..")
    kv = {k: v.strip() for k, v in read_kv(os.path.join(layer_dir, "meta.txt")).items()}
    num = {k: int(v) for k, v in kv.items() if k not in ("name", "kind")}
    kind = kv["kind"]
    if kind == "fc":
        w_shape = (num["M"], num["K"])
        x_shape = (num["N"], num["K"])
    else:
        w_shape = (num["M"], num["C"] // num["groups"], num["KH"], num["KW"])
        x_shape = (1, num["C"], num["H"], num["W"])
    w = np.fromfile(os.path.join(layer_dir, "w.f32"), dtype=np.float32).reshape(w_shape)
    x = np.fromfile(os.path.join(layer_dir, "x.f32"), dtype=np.float32).reshape(x_shape)
    mask = np.fromfile(os.path.join(case_dir, "mask.u8"), dtype=np.uint8).reshape(w_shape)
    return kind, num, torch.from_numpy(w * mask), torch.from_numpy(x)


def measure(fn, samples, min_sample, max_time, warmup=0.05):
    start = time.perf_counter()
    warm = 0
    while warm < 2 or time.perf_counter() - start < warmup:
        fn()
        warm += 1
    single = (time.perf_counter() - start) / warm
    inner = max(1, int(np.ceil(min_sample / max(single, 1e-9))))
    per = []
    begin = time.perf_counter()
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        per.append((time.perf_counter() - t0) / inner)
        if len(per) >= 3 and time.perf_counter() - begin > max_time:
            break
    q = statistics.quantiles(per, n=4, method="inclusive") if len(per) > 1 else per * 3
    return {"status": "ok", "median_s": statistics.median(per), "p25_s": q[0],
            "p75_s": q[2], "min_s": min(per), "samples": len(per), "inner": inner,
            "samples_s": per}


def make_fn(kind, num, w, x, variant):
    """Returns (fn, result) where result() gives the canonical-layout output."""
    out = {}
    if variant == "dense":
        if kind == "fc":
            def fn():
                out["y"] = F.linear(x, w)
        else:
            def fn():
                out["y"] = F.conv2d(x, w, padding=num["pad"], groups=num["groups"])
        return fn, lambda: out["y"]
    if kind == "conv" and num["groups"] != 1:
        return None, "grouped/depthwise convolution has no CSR form here"
    wcsr = w.reshape(num["M"], -1).to_sparse_csr()
    if kind == "fc":
        xt = x.t()
        def fn():
            out["y"] = wcsr @ xt
        return fn, lambda: out["y"].t()
    pointwise = num["KH"] == 1 and num["KW"] == 1 and num["pad"] == 0
    if pointwise:
        xm = x.reshape(num["C"], -1)
        def fn():
            out["y"] = wcsr @ xm
    else:
        def fn():
            cols = F.unfold(x, (num["KH"], num["KW"]), padding=num["pad"])[0]
            out["y"] = wcsr @ cols
    return fn, lambda: out["y"]


def run_e2e(job):
    """A whole network from bench/harness/e2e.py, batch 1."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from harness import e2e
    spec, weights = e2e.load(job["e2e"])
    model = e2e.torch_model(spec, weights, job["variant"] == "sparse")
    x = torch.from_numpy(np.fromfile(os.path.join(job["e2e"], "input.f32"),
                                     dtype=np.float32).reshape(spec["input"]))
    out = {}

    def fn():
        out["y"] = model(x)
    r = measure(fn, job["samples"], job["min_sample"], job["max_time"], job.get("warmup", 0.05))
    out["y"].numpy().astype(np.float32).tofile(job["out"])
    r["info"] = f"torch {torch.__version__} threads {torch.get_num_threads()}"
    return r


def run_job(job):
    if "e2e" in job:
        return run_e2e(job)
    kind, num, w, x = load_case(job["case"])
    fn, result = make_fn(kind, num, w, x, job["variant"])
    if fn is None:
        return {"status": "n/a", "reason": result}
    r = measure(fn, job["samples"], job["min_sample"], job["max_time"], job.get("warmup", 0.05))
    y = result().contiguous().numpy().astype(np.float32)
    y.tofile(job["out"])
    r["info"] = f"torch {torch.__version__} threads {torch.get_num_threads()}"
    return r


def main():
    threads = int(sys.argv[sys.argv.index("--threads") + 1])
    torch.set_num_threads(threads)
    with torch.inference_mode():
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                r = run_job(json.loads(line))
            except Exception as e:  # one failing case must not hide the rest
                r = {"status": "error", "reason": f"{type(e).__name__}: {e}"}
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
