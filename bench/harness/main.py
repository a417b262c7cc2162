"""bench/run's orchestrator: data, peers, sparsec, cross-checks, reports.

    bench/run [--quick] [--layers a,b] [--patterns s0,s90] [--threads 1,2]
              [--systems x,y] [--samples N] [--max-time S] [--out DIR]
              [--sparsec PATH] [--e2e | --no-layers]

Every measurement runs in its own process pinned to the first T cores
(sched_setaffinity), with OMP/OpenBLAS thread counts set to T (PyTorch runs in
one long-lived worker per thread count, pinned the same way). Each output is
compared with the float64 reference before its time is believed: a wrong
answer is reported as WRONG and gets no speedup.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

from . import data, layers, mlir_sparsifier, report, sparsec, systems

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(REPO, "bench")


LOG_FILE = None


def log(msg):
    print(msg, file=sys.stderr, flush=True)
    if LOG_FILE:
        LOG_FILE.write(msg + "\n")
        LOG_FILE.flush()


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"layers {','.join(layers.QUICK_LAYERS)}, patterns "
                        f"{','.join(layers.QUICK_PATTERNS)}, 1 thread, fewer samples")
    p.add_argument("--layers", help="comma-separated layer names (default: all)")
    p.add_argument("--patterns", "--sparsity", dest="patterns",
                   help="comma-separated patterns: s0,s50,...,s98,nm2_4,b4x1_90,b1x8_90; "
                        "a bare number N means sN")
    p.add_argument("--threads", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--systems", help="comma-separated systems (default: all)")
    p.add_argument("--rounds", type=int,
                   help="rounds per cell (default 3; --quick 1): every system of a case is run "
                        "once per round, in turn, and the samples of all rounds are pooled, so a "
                        "burst of load from other processes hits every system alike")
    p.add_argument("--samples", type=int, help="timed samples per round (default 5; --quick 7)")
    p.add_argument("--max-time", type=float, help="seconds of sampling per round (default 1)")
    p.add_argument("--out", help="output directory (default build/bench/results/<time>)")
    p.add_argument("--cache", help="data cache (default .cache/bench)")
    p.add_argument("--seed", type=int, default=data.DEFAULT_SEED)
    p.add_argument("--sparsec", help="sparsec binary (default $SPARSEC, else build/bin/sparsec "
                                     "of the main checkout)")
    p.add_argument("--e2e", action="store_true", help="also time the end-to-end networks")
    p.add_argument("--no-layers", action="store_true", help="skip the layer benchmarks")
    p.add_argument("--list", action="store_true", help="list layers, patterns and systems")
    return p.parse_args(argv)


def pick(names, table, what):
    out = []
    for n in names.split(","):
        n = n.strip()
        if what == "pattern" and n.isdigit():
            n = "s" + n
        if n not in table:
            raise SystemExit(f"unknown {what} {n!r}; known: {', '.join(table)}")
        out.append(table[n])
    return out


def thread_env(threads):
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"):
        env.pop(k, None)
    t = str(threads)
    env.update({"OMP_NUM_THREADS": t, "OPENBLAS_NUM_THREADS": t, "MKL_NUM_THREADS": t,
                "OMP_PROC_BIND": "close", "OMP_PLACES": "cores", "OMP_WAIT_POLICY": "active"})
    return env


def cpus_for(threads):
    avail = sorted(os.sched_getaffinity(0))
    if threads > len(avail):
        raise SystemExit(f"{threads} threads asked, {len(avail)} cores available")
    return set(avail[:threads])


def parse_result(proc):
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"status": "error", "reason": f"exit {proc.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


class Runner:
    def __init__(self, args):
        self.args = args
        self.cache = args.cache or os.environ.get("SPARSEC_BENCH_CACHE") or \
            os.path.join(REPO, ".cache", "bench")
        self.build = os.path.join(REPO, "build", "bench")
        self.bin = os.path.join(self.build, "bin")
        self.bench_dir = BENCH
        self.store = data.Store(self.cache, args.seed)
        self.rounds = args.rounds or (1 if args.quick else 3)
        self.samples = args.samples or (7 if args.quick else 5)
        self.max_time = args.max_time or 1.0
        self.torch_workers = {}
        # Systems that need AVX-512 are reported n/a on a CPU without it;
        # the end-to-end networks are compiled for the best ISA it has.
        self.avx512 = systems.host_has_avx512()
        self.e2e_isa = "avx512" if self.avx512 else "avx2"
        self.rows = []
        self.scratch = os.path.join(self.build, "scratch")
        os.makedirs(self.scratch, exist_ok=True)
        self.sparsec_path = args.sparsec or os.environ.get("SPARSEC") or \
            sparsec.default_path(REPO)
        self.sparsec_ok, self.sparsec_note = sparsec.availability(self.sparsec_path)
        if self.sparsec_ok:
            self.sparsec_note += f", its checkout at {sparsec.describe(self.sparsec_path)}"
            self.sparsec_path = sparsec.snapshot(self.sparsec_path,
                                                 os.path.join(self.build, "sparsec-bin"))

    def build_drivers(self):
        r = subprocess.run(["make", "-s", "-C", os.path.join(BENCH, "drivers"), f"OUT={self.bin}",
                            "-j2"], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("building the drivers failed:\n" + r.stdout + r.stderr)

    @staticmethod
    def warmup_s(threads):
        """Untimed calls before the samples: 50 ms, 0.5 s on several threads.
        On this shared VM an idle second vCPU comes back slowly: for ~0.1-0.2 s
        after a two-thread process starts, calls of sparsec's MobileNetV1
        (sparse and dense builds alike) ran 2-5x slower than afterwards."""
        return 0.05 if threads == 1 else 0.5

    def timing_args(self, threads=1):
        return ["--samples", str(self.samples), "--max-time", str(self.max_time),
                "--min-sample", "2e-4", "--warmup", str(self.warmup_s(threads))]

    def run_proc(self, cmd, threads, env_extra=None, stdin=None, timeout=1800):
        env = thread_env(threads)
        env.update(env_extra or {})
        cpus = cpus_for(threads)
        try:
            return subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True,
                                  timeout=timeout,
                                  preexec_fn=lambda: os.sched_setaffinity(0, cpus))
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(cmd, -1, "", f"timed out after {timeout} s")

    def check(self, result, out_file, ref):
        """Adds max_rel_err to an ok result (inf when the output is missing)."""
        if result.get("status") != "ok":
            return result
        try:
            result["max_rel_err"] = data.max_rel_error(np.fromfile(out_file, dtype=np.float32), ref)
        except OSError as e:
            result["max_rel_err"] = float("inf")
            result["info"] = result.get("info", "") + f" (no output: {e})"
        return result

    def record(self, layer, pattern, meta, threads, system, results, extra=None):
        """One row from the rounds of one cell: samples pooled, worst error kept."""
        row = {
            "layer": layer.name, "layer_desc": layer.desc, "pattern": pattern.name,
            "pattern_label": pattern.label, "sparsity": float(meta["sparsity"]),
            "nnz": int(meta["nnz"]), "threads": threads, "system": system.name,
            "status": "ok", "median_us": None, "p25_us": None, "p75_us": None, "min_us": None,
            "samples": 0, "rounds": len(results), "max_rel_err": None,
            "info": results[-1].get("info") or results[-1].get("reason", ""),
        }
        row.update(extra or {})
        bad = [r for r in results if r.get("status") != "ok"]
        if bad:
            row["status"] = bad[0].get("status", "error")
            row["info"] = bad[0].get("reason", "")
        else:
            pooled = np.array([t for r in results for t in r["samples_s"]]) * 1e6
            row["median_us"] = float(np.median(pooled))
            row["p25_us"], row["p75_us"] = (float(v) for v in np.percentile(pooled, [25, 75]))
            row["min_us"] = float(pooled.min())
            row["samples"] = int(pooled.size)
            row["max_rel_err"] = max(r["max_rel_err"] for r in results)
            if not row["max_rel_err"] <= data.TOLERANCE:
                row["status"] = "wrong"
        self.rows.append(row)
        shown = f"{row['median_us']:.1f} us" if row["median_us"] else row["info"][:80]
        err = f" err {row['max_rel_err']:.1e}" if row["max_rel_err"] is not None else ""
        log(f"  t{threads} {layer.name:12s} {pattern.name:8s} {system.name:16s} "
            f"{row['status']:5s} {shown}{err}")
        return row

    # --- one measurement per system kind -------------------------------------------------

    def run_driver(self, system, case_dir, threads, out_file):
        cmd = [os.path.join(self.bin, f"bench-{system.driver}"), "--case", case_dir,
               "--threads", str(threads), "--out", out_file, *self.timing_args(threads)]
        if system.variant:
            cmd += ["--variant", system.variant]
        return parse_result(self.run_proc(cmd, threads, system.env))

    def run_mlir(self, system, layer, case_dir, threads, out_file):
        if threads not in system.threads:
            return {"status": "n/a", "reason": "MLIR 19's --sparsifier has no OpenMP lowering: "
                                              "single thread only"}
        if layer.kind == "conv" and layer.groups != 1:
            return {"status": "n/a", "reason": "depthwise convolution is not a matmul"}
        so = mlir_sparsifier.build_kernel(os.path.join(self.build, "mlir"), layer.M, layer.kred,
                                          layer.N, system.isa, log)
        if so is None:
            return {"status": "error", "reason": "kernel did not compile (see log)"}
        cmd = [os.path.join(self.bin, "bench-mlir_sparsifier"), "--case", case_dir, "--threads",
               str(threads), "--out", out_file, "--variant", so, *self.timing_args(threads)]
        return parse_result(self.run_proc(cmd, threads))

    def run_sparsec(self, system, layer, pattern, case_dir, threads, out_file):
        if not self.sparsec_ok:
            return {"status": "n/a", "reason": self.sparsec_note}, {}
        w, _ = self.store.load_layer(layer)
        mask, _, _ = self.store.load_case(layer, pattern)
        exe, info = sparsec.build_case(
            self.sparsec_path, os.path.join(self.build, "sparsec", f"seed{self.args.seed}"),
            os.path.join(BENCH, "drivers"), os.path.join(self.bin, "common.o"), layer,
            pattern.name, w, mask, system.isa, threads, log)
        if exe is None:
            return {"status": "error", "reason": info["error"]}, {}
        cmd = [exe, "--case", case_dir, "--threads", str(threads), "--out", out_file,
               *self.timing_args(threads)]
        return parse_result(self.run_proc(cmd, threads)), info

    def run_torch(self, system, case_dir, threads, out_file):
        return self.run_torch_job({"case": case_dir, "variant": system.variant, "out": out_file},
                                  threads)

    def run_torch_job(self, job, threads):
        worker = self.torch_workers.get(threads)
        if worker is None or worker.poll() is not None:
            env = thread_env(threads)
            # The worker outlives its jobs: with OMP_WAIT_POLICY=active its
            # idle OpenMP threads would spin on the cores forever (libgomp's
            # spin count becomes 30 billion), slowing every system timed
            # after it on more than one thread. PyTorch's own default
            # (spin ~300,000 times, then sleep) keeps its timing fair.
            env.pop("OMP_WAIT_POLICY", None)
            cpus = cpus_for(threads)
            worker = subprocess.Popen(
                ["/usr/bin/python3", "-W", "ignore",
                 os.path.join(BENCH, "harness", "torch_peer.py"), "--threads", str(threads)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, env=env, preexec_fn=lambda: os.sched_setaffinity(0, cpus))
            self.torch_workers[threads] = worker
        job = dict(job, samples=self.samples, min_sample=2e-4, max_time=self.max_time,
                   warmup=self.warmup_s(threads))
        try:
            worker.stdin.write(json.dumps(job) + "\n")
            worker.stdin.flush()
            line = worker.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            err = worker.stderr.read()[-300:] if worker.poll() is not None else ""
            self.torch_workers.pop(threads, None)
            return {"status": "error", "reason": f"torch worker died: {err.strip()}"}
        return json.loads(line)

    def close(self):
        for w in self.torch_workers.values():
            w.stdin.close()
            w.wait()

    # --- the layer suite ----------------------------------------------------------------------

    def run_layers(self, sel_layers, sel_patterns, sel_threads, sel_systems):
        for layer in sel_layers:
            for pattern in layers.patterns_for(layer, sel_patterns):
                self.store.ensure_case(layer, pattern)
        for threads in sel_threads:
            for layer in sel_layers:
                log(f"== {layer.name} ({layer.desc}), {threads} thread(s)")
                for pattern in layers.patterns_for(layer, sel_patterns):
                    self.run_case(layer, pattern, threads, sel_systems)

    def run_case(self, layer, pattern, threads, sel_systems):
        case_dir = self.store.case_dir(layer, pattern)
        _, ref, meta = self.store.load_case(layer, pattern)
        todo = [s for s in sel_systems if s.sparse or pattern.name == "s0"]
        results = {s.name: [] for s in todo}
        extras = {}
        for _ in range(self.rounds):
            for system in todo:
                done = results[system.name]
                if done and done[-1].get("status") != "ok":
                    continue  # n/a and errors are not retried
                out_file = os.path.join(self.scratch, f"{system.name}.f32")
                if os.path.exists(out_file):
                    os.remove(out_file)
                if system.avx512 and not self.avx512:
                    r = {"status": "n/a", "reason": "this CPU has no AVX-512"}
                elif system.runner == "driver":
                    r = self.run_driver(system, case_dir, threads, out_file)
                elif system.runner == "torch":
                    r = self.run_torch(system, case_dir, threads, out_file)
                elif system.runner == "mlir":
                    r = self.run_mlir(system, layer, case_dir, threads, out_file)
                else:
                    r, extras[system.name] = self.run_sparsec(system, layer, pattern, case_dir,
                                                              threads, out_file)
                done.append(self.check(r, out_file, ref))
        for system in todo:
            self.record(layer, pattern, meta, threads, system, results[system.name],
                        extras.get(system.name))


def machine_info():
    info = {"cpu": "", "cores": os.cpu_count(), "kernel": platform.release()}
    try:
        fields = {}
        for line in open("/proc/cpuinfo"):
            if not line.strip():
                break  # the first processor is enough
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        # "AMD EPYC" alone names Zen 2 and Zen 5 alike: add family, model
        # and whether AVX-512 is there.
        info["cpu"] = (f"{fields.get('model name', '?')} (family {fields.get('cpu family', '?')}, "
                       f"model {fields.get('model', '?')}, "
                       f"{'AVX-512' if ' avx512f' in ' ' + fields.get('flags', '') else 'no AVX-512'})")
    except OSError:
        pass
    pkgs = ["libopenblas0-pthread", "libdnnl2", "libeigen3-dev", "libxnnpack0", "python3-torch",
            "mlir-19-tools"]
    r = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\\n", *pkgs],
                       capture_output=True, text=True)
    info["packages"] = r.stdout.strip().splitlines()
    return info


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        for l in layers.LAYERS:
            print(f"layer   {l.name:14s} {l.desc}")
        for p in layers.PATTERNS:
            print(f"pattern {p.name:14s} {p.label}")
        for s in systems.SYSTEMS:
            print(f"system  {s.name:16s} {s.what}")
        return 0
    t_start = time.time()
    r = Runner(args)
    r.build_drivers()
    sel_layers = pick(args.layers, layers.LAYER_BY_NAME, "layer") if args.layers else \
        ([layers.LAYER_BY_NAME[n] for n in layers.QUICK_LAYERS] if args.quick else layers.LAYERS)
    sel_patterns = pick(args.patterns, layers.PATTERN_BY_NAME, "pattern") if args.patterns else \
        ([layers.PATTERN_BY_NAME[n] for n in layers.QUICK_PATTERNS] if args.quick
         else layers.PATTERNS)
    if layers.DENSE not in sel_patterns:
        # Speedups need the dense baseline of each layer.
        sel_patterns = [layers.DENSE] + sel_patterns
    sel_threads = [int(t) for t in args.threads.split(",")] if args.threads else \
        ([1] if args.quick else [1, 2])
    sel_systems = pick(args.systems, systems.SYSTEM_BY_NAME, "system") if args.systems \
        else systems.SYSTEMS
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or os.path.join(r.build, "results", stamp)
    os.makedirs(out, exist_ok=True)
    global LOG_FILE
    LOG_FILE = open(os.path.join(out, "run.log"), "w")
    log(f"bench/run {' '.join(sys.argv[1:] if argv is None else argv)}")
    log(f"sparsec: {'available, ' if r.sparsec_ok else 'NOT available: '}{r.sparsec_note}")
    log(f"results -> {out}")
    load_before = os.getloadavg()
    e2e_rows = []
    if not args.no_layers:
        r.run_layers(sel_layers, sel_patterns, sel_threads, sel_systems)
    if args.e2e:
        from . import e2e
        e2e_rows = e2e.run(r, sel_threads)
    r.close()
    meta = {
        "started": datetime.datetime.fromtimestamp(t_start).isoformat(timespec="seconds"),
        "wall_s": round(time.time() - t_start, 1),
        "argv": sys.argv[1:] if argv is None else argv,
        "rounds": r.rounds, "samples": r.samples, "max_time_s": r.max_time,
        "load_before": load_before, "load_after": os.getloadavg(),
        "sparsec": r.sparsec_note, "sparsec_available": r.sparsec_ok,
        "seed": args.seed, "machine": machine_info(),
        "avx512": r.avx512, "e2e_isa": r.e2e_isa,
    }
    report.write_all(out, r.rows, e2e_rows, meta)
    latest = os.path.join(r.build, "results", "latest")
    if not args.out:
        if os.path.islink(latest):
            os.remove(latest)
        os.symlink(stamp, latest)
    log(f"done in {meta['wall_s']:.0f} s: {out}/results.md, results.csv, speedup_t*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
