"""The sparsec column: emit net.mlir, `sparsec compile`, link, time, check.

Integration path (issue 4's interface), per (layer, pattern, target, threads):
  1. snn.layer_net() writes net.mlir from the cached weights and mask: one
     func.func @<layer name> (a C identifier) with snn.mask + snn.dense or
     snn.conv2d; a dense layer (0 %) has no snn.mask.
  2. `$SPARSEC compile net.mlir -o net.o --target=<t> --threads <T>` must
     write net.o and net.h; the header declares
     `int <layer name>(const float *input, float *output);`.
  3. bench/drivers/sparsec_main.cpp is compiled with `-include net.h
     -DSPARSEC_FN=<layer name>` and linked with net.o, -lpthread -ldl -lm and
     nothing else; the harness runs it like any other driver.
Before that, `$SPARSEC compile net.mlir --tune --emit=mlir` times schedule
alternatives of the sparse layers on this machine and writes tuned.mlir,
which step 2 compiles (so the compile time reported is that of a plain
compile; the tuning time is recorded separately).
Compile wall time and peak memory are recorded. Objects are cached per
sparsec binary (path, size, mtime), so a rebuilt sparsec recompiles.

When the binary is missing or has no `compile` command, every sparsec cell is
"n/a" with the reason; the rest of the suite runs as usual.
"""
import hashlib
import os
import subprocess
import time

from . import snn

TARGETS = {"avx2": "x86-64-avx2", "avx512": "x86-64-avx512"}


def default_path(repo_root):
    """build/bin/sparsec of the main checkout (the main worktree when this
    checkout is a `git worktree`)."""
    try:
        common = subprocess.run(["git", "-C", repo_root, "rev-parse", "--path-format=absolute",
                                 "--git-common-dir"], capture_output=True, text=True,
                                check=True).stdout.strip()
        main_root = os.path.dirname(common)
        candidate = os.path.join(main_root, "build", "bin", "sparsec")
        if os.path.exists(candidate):
            return candidate
    except (subprocess.CalledProcessError, OSError):
        pass
    return os.path.join(repo_root, "build", "bin", "sparsec")


def availability(path):
    """(True, version string) or (False, reason)."""
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        return False, f"no sparsec binary at {path}"
    try:
        r = subprocess.run([path, "compile", "--help"], capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"{path} compile --help: {e}"
    text = r.stdout + r.stderr
    if r.returncode != 0 or "compile" not in text or "-o" not in text:
        first = text.strip().splitlines()[:1]
        return False, f"`sparsec compile` not available yet ({first[0] if first else 'no output'})"
    st = os.stat(path)
    return True, f"{path} ({st.st_size} bytes, {time.strftime('%Y-%m-%d %H:%M', time.localtime(st.st_mtime))})"


def snapshot(path, workdir):
    """Copies the binary so that a rebuild during a long run cannot mix two
    compilers in one table (sparsec links only shared system libraries)."""
    import shutil
    dst = os.path.join(workdir, binary_key(path), "sparsec")
    if not os.path.exists(dst):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(path, dst + ".tmp")
        os.replace(dst + ".tmp", dst)
    return dst


def describe(path):
    """The commit of the checkout a sparsec binary was built in, when known."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(path))))
    r = subprocess.run(["git", "-C", root, "log", "-1", "--format=%h %s"], capture_output=True,
                       text=True)
    return r.stdout.strip() if r.returncode == 0 else "unknown commit"


def binary_key(path):
    st = os.stat(path)
    return hashlib.sha1(f"{os.path.realpath(path)}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:10]


def run_measured(cmd, timeout, cwd=None):
    """Runs cmd; returns (returncode, output, wall seconds, peak RSS MiB).

    os.wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would be the
    largest of all children so far)."""
    import tempfile
    import threading
    with tempfile.TemporaryFile(mode="w+") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read()
    if wall >= timeout:
        text += f"\n(killed after {timeout} s)"
    return p.returncode, text, wall, usage.ru_maxrss / 1024.0


def build_case(sparsec_path, workdir, drivers_dir, common_obj, layer, pattern_name, w, mask,
               isa, threads, log, compile_timeout=900):
    """Returns (executable or None, info dict). workdir must be specific to
    the data set (seed), since objects are cached by layer and pattern."""
    d = os.path.join(workdir, binary_key(sparsec_path), layer.name, pattern_name)
    os.makedirs(d, exist_ok=True)
    net = os.path.join(d, "net.mlir")
    if not os.path.exists(net):
        snn.layer_net(layer, w, mask).write(net)
    out_dir = os.path.join(d, f"{isa}-t{threads}")
    cached = _cached(out_dir, layer.name, drivers_dir, common_obj)
    if cached:
        return cached
    os.makedirs(out_dir, exist_ok=True)
    return _compile_and_link(sparsec_path, net, layer.name, out_dir, drivers_dir, common_obj,
                             isa, threads, log, compile_timeout)


def _cached(out_dir, fn_name, drivers_dir, common_obj):
    """(executable, info) of an earlier build in out_dir, relinked if the
    drivers' common.o changed since (its timing options); else None."""
    exe = os.path.join(out_dir, "bench-sparsec")
    info_file = os.path.join(out_dir, "compile.txt")
    if not (os.path.exists(exe) and os.path.exists(info_file)):
        return None
    if os.path.getmtime(exe) < os.path.getmtime(common_obj):
        err = _link(drivers_dir, out_dir, fn_name, common_obj)
        if err:
            return None, {"error": err}
    info = dict(line.split(None, 1) for line in open(info_file).read().splitlines())
    return exe, {k: float(v) for k, v in info.items()}


def _link(drivers_dir, out_dir, fn_name, common_obj):
    """Links out_dir/bench-sparsec from out_dir/net.o; an error or None."""
    exe = os.path.join(out_dir, "bench-sparsec")
    header = os.path.join(out_dir, "net.h")
    cmd = ["g++", "-O2", "-std=c++17", f"-I{drivers_dir}", "-include", header,
           f"-DSPARSEC_FN={fn_name}", os.path.join(drivers_dir, "sparsec_main.cpp"),
           common_obj, os.path.join(out_dir, "net.o"), "-o", exe + ".tmp", "-lpthread", "-ldl",
           "-lm"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return f"linking against net.o failed: {r.stderr.strip()[-300:]}"
    os.replace(exe + ".tmp", exe)
    return None


def _compile_and_link(sparsec_path, net, fn_name, out_dir, drivers_dir, common_obj, isa,
                      threads, log, compile_timeout):
    exe = os.path.join(out_dir, "bench-sparsec")
    info_file = os.path.join(out_dir, "compile.txt")
    obj = os.path.join(out_dir, "net.o")
    # Tuning (timing schedule alternatives on this machine) is its own step,
    # like a user would run it once: `compile --tune --emit=mlir` writes the
    # network with the chosen schedules, which the timed compile then reuses.
    tuned = os.path.join(out_dir, "tuned.mlir")
    flags = [f"--target={TARGETS[isa]}", f"--threads={threads}"]
    t0 = time.perf_counter()
    with open(tuned + ".tmp", "w") as f:
        r = subprocess.run([sparsec_path, "compile", net, "--tune", "--emit=mlir", "-o", "-",
                            *flags], stdout=f, stderr=subprocess.PIPE, text=True,
                           timeout=compile_timeout)
    tune_s = time.perf_counter() - t0
    if r.returncode != 0:
        return None, {"error": f"sparsec compile --tune failed ({r.returncode}): "
                               f"{r.stderr.strip()[-300:]}"}
    os.replace(tuned + ".tmp", tuned)
    for line in r.stderr.splitlines():
        if line.startswith("tune "):
            log(f"  {fn_name} {isa} t{threads}: {line}")
    rc, out, wall, peak = run_measured(
        [sparsec_path, "compile", tuned, "-o", obj, *flags], compile_timeout)
    if rc != 0:
        return None, {"error": f"sparsec compile failed ({rc}): {out.strip()[-300:]}"}
    header = os.path.join(out_dir, "net.h")
    if not os.path.exists(header):
        # sparsec names the header after the object: net.o -> net.h.
        return None, {"error": "sparsec compile wrote no net.h"}
    err = _link(drivers_dir, out_dir, fn_name, common_obj)
    if err:
        return None, {"error": err}
    with open(info_file, "w") as f:
        f.write(f"compile_s {wall:.3f}\ncompile_peak_mib {peak:.1f}\ntune_s {tune_s:.3f}\n")
    log(f"  sparsec compile {fn_name} {isa} t{threads}: {wall:.1f} s (tuning before it: "
        f"{tune_s:.1f} s)")
    return exe, {"compile_s": wall, "compile_peak_mib": peak, "tune_s": tune_s}


def build_network(sparsec_path, net_mlir, fn_name, workdir, drivers_dir, common_obj, isa,
                  threads, log, compile_timeout=900):
    """Like build_case, for a whole network file (bench/harness/e2e.py)."""
    out_dir = os.path.join(workdir, binary_key(sparsec_path), f"{isa}-t{threads}")
    cached = _cached(out_dir, fn_name, drivers_dir, common_obj)
    if cached:
        return cached
    os.makedirs(out_dir, exist_ok=True)
    return _compile_and_link(sparsec_path, net_mlir, fn_name, out_dir, drivers_dir, common_obj,
                             isa, threads, log, compile_timeout)
