"""The systems under test: the peers and sparsec, and how each one is run.

Dense systems run once per layer and thread count, on the dense (0 %) case:
their time does not depend on the values. Sparse systems run on every
pattern, 0 % included (which shows what their sparse format costs on a dense
layer). The baseline of every speedup is OpenBLAS with its AVX2 (Haswell)
kernels on the dense case, same layer, same thread count; the depthwise
layer, which is no GEMM, uses oneDNN instead.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class System:
    name: str
    sparse: bool
    runner: str                  # "driver", "torch", "mlir", "sparsec"
    driver: str = ""             # bench-<driver>
    variant: str = ""
    env: dict = field(default_factory=dict)
    isa: str = ""                # for mlir / sparsec builds
    threads: tuple = (1, 2)
    what: str = ""
    avx512: bool = False         # its code needs a CPU with AVX-512


def host_has_avx512():
    """Whether this CPU runs AVX-512 code (AVX-512 F, as every system here needs)."""
    try:
        with open("/proc/cpuinfo") as f:
            return any(l.startswith("flags") and " avx512f" in l for l in f)
    except OSError:
        return False


SYSTEMS = [
    System("openblas-avx2", False, "driver", "openblas", env={"OPENBLAS_CORETYPE": "Haswell"},
           what="OpenBLAS 0.3.21 sgemm/sgemv, Haswell (AVX2+FMA) kernels; im2col for 3x3"),
    System("openblas-avx512", False, "driver", "openblas", env={"OPENBLAS_CORETYPE": "SkylakeX"},
           avx512=True,
           what="OpenBLAS 0.3.21, SkylakeX (AVX-512) kernels; its autodetection picks "
                "Haswell on AMD CPUs, so AVX-512 is forced"),
    System("onednn", False, "driver", "onednn",
           what="oneDNN 2.6 matmul / direct convolution, native ISA (AVX-512 where the CPU has it)"),
    System("onednn-avx2", False, "driver", "onednn", env={"ONEDNN_MAX_CPU_ISA": "AVX2"},
           what="oneDNN 2.6 capped at AVX2"),
    System("xnnpack-dense", False, "driver", "xnnpack", variant="dense",
           what="XNNPACK (Debian 2022-02-16) NHWC GEMM / convolution / depthwise"),
    System("torch-dense", False, "torch", variant="dense",
           what="PyTorch 1.13 F.linear / F.conv2d"),
    System("eigen-csr", True, "driver", "eigen",
           what="Eigen 3.4 SparseMatrix<RowMajor> x dense (OpenMP when 2 threads)"),
    System("xnnpack-sparse", True, "driver", "xnnpack", variant="sparse",
           what="XNNPACK NCHW 1x1 convolution = its sparse-inference SpMM (FC as 1x1 over x^T)"),
    System("mlir-avx2", True, "mlir", isa="avx2", threads=(1,),
           what="mlir-opt-19 --sparsifier, CSR i32 matmul/matvec, vl=8, llc -mcpu=haswell"),
    System("mlir-avx512", True, "mlir", isa="avx512", threads=(1,), avx512=True,
           what="mlir-opt-19 --sparsifier, CSR i32, vl=16, llc -mcpu=skylake-avx512"),
    System("torch-csr", True, "torch", variant="csr",
           what="PyTorch 1.13 torch.sparse_csr @ dense (Debian build: no MKL)"),
    System("sparsec-avx2", True, "sparsec", isa="avx2",
           what="sparsec compile --target=x86-64-avx2, schedules from a --tune run before it"),
    System("sparsec-avx512", True, "sparsec", isa="avx512", avx512=True,
           what="sparsec compile --target=x86-64-avx512, schedules from a --tune run before it"),
]
SYSTEM_BY_NAME = {s.name: s for s in SYSTEMS}
BASELINE = "openblas-avx2"
BASELINE_NO_GEMM = "onednn"


def baseline_for(layer):
    return BASELINE_NO_GEMM if layer.kind == "conv" and layer.groups != 1 else BASELINE
