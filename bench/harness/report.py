"""Writes results.csv, results.md, speedup_t<T>.png and run.json.

Speedup = median time of the layer's baseline (systems.baseline_for: OpenBLAS
AVX2 on the dense case, same thread count) / median time of the cell. WRONG
and failed cells get no speedup. Spread = (p75 - p25) / median.
"""
import csv
import json
import os

from . import layers, systems

CSV_FIELDS = ["layer", "layer_desc", "pattern", "pattern_label", "sparsity", "nnz", "threads",
              "system", "status", "median_us", "p25_us", "p75_us", "min_us", "spread_pct",
              "samples", "rounds", "max_rel_err", "baseline", "speedup", "compile_s", "compile_peak_mib", "tune_s",
              "info"]


def add_speedups(rows):
    base = {}
    for r in rows:
        if r["status"] == "ok" and r["pattern"] == "s0":
            base[(r["layer"], r["threads"], r["system"])] = r["median_us"]
    for r in rows:
        layer = layers.LAYER_BY_NAME.get(r["layer"])
        bname = systems.baseline_for(layer) if layer else systems.BASELINE
        r["baseline"] = bname
        b = base.get((r["layer"], r["threads"], bname))
        r["speedup"] = b / r["median_us"] if (b and r["status"] == "ok") else None
        r["spread_pct"] = (100.0 * (r["p75_us"] - r["p25_us"]) / r["median_us"]
                           if r["status"] == "ok" else None)


def fmt_time(us):
    if us is None:
        return ""
    if us >= 10000:
        return f"{us / 1000:.1f} ms"
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.1f} µs" if us < 100 else f"{us:.0f} µs"


def cell(r):
    if r is None:
        return ""
    if r["status"] == "ok":
        return f"{fmt_time(r['median_us'])} ({r['speedup']:.2f}×)" if r["speedup"] \
            else fmt_time(r["median_us"])
    if r["status"] == "wrong":
        return f"WRONG (err {r['max_rel_err']:.1e})"
    return r["status"]


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else
                            (f"{r[k]:.4g}" if isinstance(r.get(k), float) else r[k]))
                        for k in CSV_FIELDS})


def markdown(rows, e2e_rows, meta):
    out = ["# sparsec benchmark results", ""]
    m = meta["machine"]
    out.append(f"Run {meta['started']}, {meta['wall_s']:.0f} s wall, on {m['cpu']} "
               f"({m['cores']} cores, Linux {m['kernel']}); load average "
               f"{meta['load_before'][0]:.1f} before, {meta['load_after'][0]:.1f} after. "
               f"Each cell: {meta['rounds']} round(s) of {meta['samples']} samples (a round "
               f"stops after {meta['max_time_s']} s), all systems of a case taking turns per "
               f"round; median of the pooled samples shown; speedup over {systems.BASELINE} on the dense layer "
               f"(depthwise: {systems.BASELINE_NO_GEMM}), same thread count.")
    out.append("")
    out.append(f"sparsec: {'available' if meta['sparsec_available'] else 'not available'} "
               f"({meta['sparsec']}).")
    ok = [r["spread_pct"] for r in rows if r.get("spread_pct") is not None]
    if ok:
        ok.sort()
        out.append(f"Noise: interquartile spread per cell, median {ok[len(ok) // 2]:.1f} %, "
                   f"90th percentile {ok[int(0.9 * (len(ok) - 1))]:.1f} % (results.csv has "
                   f"every cell's quartiles).")
    out.append("")
    present = [s.name for s in systems.SYSTEMS if any(r["system"] == s.name for r in rows)]
    for threads in sorted({r["threads"] for r in rows}):
        out.append(f"## {threads} thread{'s' if threads > 1 else ''}")
        out.append("")
        cols = [s for s in present if any(r["system"] == s and r["threads"] == threads
                                          and r["status"] != "n/a" for r in rows)]
        out.append("| layer | pattern | " + " | ".join(cols) + " | best sparse peer |")
        out.append("|---|---|" + "---|" * (len(cols) + 1))
        keys = []
        for r in rows:
            k = (r["layer"], r["pattern"])
            if r["threads"] == threads and k not in keys:
                keys.append(k)
        for layer, pattern in keys:
            cells = {r["system"]: r for r in rows
                     if r["threads"] == threads and r["layer"] == layer and r["pattern"] == pattern}
            peers = [r for r in cells.values() if r["status"] == "ok" and r["speedup"]
                     and systems.SYSTEM_BY_NAME[r["system"]].sparse
                     and systems.SYSTEM_BY_NAME[r["system"]].runner != "sparsec"]
            best = max(peers, key=lambda r: r["speedup"]) if peers else None
            label = layers.PATTERN_BY_NAME[pattern].label
            best_text = f"{best['system']} {best['speedup']:.2f}×" if best else ""
            out.append(f"| {layer} | {label} | " + " | ".join(cell(cells.get(c)) for c in cols)
                       + f" | {best_text} |")
        out.append("")
    notes = {}
    for r in rows:
        if r["status"] in ("n/a", "error"):
            notes.setdefault((r["system"], r["status"], r["info"]), []).append(r["layer"])
    if notes:
        out.append("## Not measured")
        out.append("")
        for (system, status, info), ls in sorted(notes.items()):
            uniq = sorted(set(ls))
            out.append(f"- {system} ({status}, {len(ls)} cells: {', '.join(uniq)}): {info}")
        out.append("")
    if e2e_rows:
        out.append("## End to end (batch 1)")
        out.append("")
        isa = meta.get("e2e_isa", "avx512")
        out.append(f"sparsec's networks are compiled for x86-64-{isa}"
                   + ("" if meta.get("avx512", True) else " (this CPU has no AVX-512)") + ".")
        out.append("")
        out.append("| network | threads | system | median | spread | vs torch-dense | check "
                   "| compile |")
        out.append("|---|---|---|---|---|---|---|---|")
        for r in e2e_rows:
            sp = f"{r['speedup']:.2f}×" if r.get("speedup") else ""
            spread = f"{r['spread_pct']:.1f} %" if r.get("spread_pct") is not None else ""
            chk = (f"err {r['max_rel_err']:.1e}" if r.get("max_rel_err") is not None
                   else r.get("info", ""))
            comp = (f"{r['compile_s']:.1f} s, {r['compile_peak_mib']:.0f} MiB"
                    if r.get("compile_s") else "")
            if r.get("tune_s"):
                comp += f" (after {r['tune_s']:.0f} s of tuning)"
            out.append(f"| {r['network']} | {r['threads']} | {r['system']} | "
                       f"{fmt_time(r.get('median_us')) or r['status']} | {spread} | {sp} | {chk} "
                       f"| {comp} |")
        out.append("")
    out.append("## Systems")
    out.append("")
    for s in systems.SYSTEMS:
        if s.name in present:
            out.append(f"- **{s.name}**: {s.what}")
    out.append("")
    return "\n".join(out)


def plot(path, rows, threads):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sel = [r for r in rows if r["threads"] == threads]
    names = [l.name for l in layers.LAYERS
             if any(r["layer"] == l.name for r in sel) and not l.dense_only]
    if not names:
        return False
    ncols = min(3, len(names))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.9 * nrows), squeeze=False)
    order = [s.name for s in systems.SYSTEMS]
    colours = plt.get_cmap("tab20")
    markers = {"nm2_4": "X", "b4x1_90": "^", "b1x8_90": "v"}
    for ax, name in zip(axes.flat, names):
        layer = layers.LAYER_BY_NAME[name]
        for si, sname in enumerate(order):
            rs = [r for r in sel if r["layer"] == name and r["system"] == sname and r["speedup"]]
            if not rs:
                continue
            colour = colours(si % 20)
            system = systems.SYSTEM_BY_NAME[sname]
            if not system.sparse:
                ax.axhline(rs[0]["speedup"], color=colour, linestyle="--", linewidth=1,
                           label=sname)
                continue
            un = sorted((r["sparsity"] * 100, r["speedup"]) for r in rs
                        if layers.PATTERN_BY_NAME[r["pattern"]].kind == "unstructured")
            if un:
                ax.plot([u[0] for u in un], [u[1] for u in un], marker="o", markersize=3,
                        color=colour, label=sname,
                        linewidth=2.2 if system.runner == "sparsec" else 1.2)
            for r in rs:
                if r["pattern"] in markers:
                    ax.plot([r["sparsity"] * 100], [r["speedup"]], marker=markers[r["pattern"]],
                            color=colour, linestyle="none", markersize=7)
        ax.set_yscale("log")
        ax.axhline(1.0, color="black", linewidth=0.6)
        ax.set_title(f"{name}: {layer.desc}", fontsize=9)
        ax.set_xlabel("sparsity (%)  [X 2:4, ^ 4x1 blocks, v 1x8 blocks]", fontsize=8)
        ax.set_ylabel(f"speedup over {systems.baseline_for(layer)} dense", fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    handles, labels = {}, []
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            if l not in handles:
                handles[l] = h
                labels.append(l)
    if not labels:
        # No speedups: the baseline system was not among those run.
        plt.close(fig)
        return False
    fig.legend([handles[l] for l in labels], labels, loc="lower center",
               ncol=min(7, len(labels)), fontsize=8, frameon=False)
    fig.suptitle(f"Speedup over dense vs sparsity, {threads} thread{'s' if threads > 1 else ''}"
                 " (median of repeated runs)", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def write_all(out, rows, e2e_rows, meta):
    add_speedups(rows)
    write_csv(os.path.join(out, "results.csv"), rows)
    if e2e_rows:
        with open(os.path.join(out, "e2e.csv"), "w", newline="") as f:
            fields = sorted({k for r in e2e_rows for k in r})
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(e2e_rows)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown(rows, e2e_rows, meta))
    for threads in sorted({r["threads"] for r in rows}):
        path = os.path.join(out, f"speedup_t{threads}.png")
        if not plot(path, rows, threads) and os.path.exists(path):
            os.remove(path)  # an old plot in a reused --out directory
    with open(os.path.join(out, "run.json"), "w") as f:
        json.dump(meta, f, indent=2)
