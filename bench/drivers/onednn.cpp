//===- onednn.cpp - oneDNN 2.6 dense matmul / convolution ---------------===//
//
// oneDNN picks its preferred (blocked) layouts for weights and activations
// (format_tag::any); weights are reordered once and activations are
// reordered in and out outside the timed region, as a framework keeping
// activations in oneDNN's layout between layers would. Only the primitive is
// timed. The ISA is capped by the harness with ONEDNN_MAX_CPU_ISA (AVX2 for
// the AVX2 comparison); threads are OpenMP threads (Debian builds oneDNN
// with OpenMP).
//
//===----------------------------------------------------------------------===//
#include "common.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <unordered_map>

using namespace bench;
using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

static const char *isaName(cpu_isa isa) {
  switch (isa) {
  case cpu_isa::avx2: return "avx2";
  case cpu_isa::avx512_core: return "avx512_core";
  case cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
  case cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
  case cpu_isa::avx512_core_amx: return "avx512_core_amx";
  case cpu_isa::avx2_vnni: return "avx2_vnni";
  default: return "other";
  }
}

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  Case c = loadCase(o.caseDir);
  omp_set_num_threads(o.threads);

  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  std::vector<float> y(c.outSize());
  std::function<void()> run;
  std::string impl;

  // Declared here so that the lambda's captures outlive setup.
  memory src, wei, dst, dstUser;
  primitive prim;
  std::unordered_map<int, memory> args;

  if (c.isFC()) {
    memory::desc srcMd({c.N, c.K}, dt::f32, tag::ab);
    memory::desc weiAny({c.K, c.M}, dt::f32, tag::any);
    memory::desc dstMd({c.N, c.M}, dt::f32, tag::ab);
    matmul::primitive_desc pd(matmul::desc(srcMd, weiAny, dstMd), eng);
    impl = pd.impl_info_str();
    // W is M x K row-major, i.e. the K x M weights in "ba" order.
    memory weiUser({{c.K, c.M}, dt::f32, tag::ba}, eng, c.wm.data());
    wei = memory(pd.weights_desc(), eng);
    reorder(weiUser, wei).execute(strm, weiUser, wei);
    src = memory(srcMd, eng, c.x.data());
    dst = memory(dstMd, eng, y.data());
    prim = matmul(pd);
    args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  } else {
    memory::dims srcDims{1, c.C, c.H, c.W}, dstDims{1, c.M, c.OH, c.OW};
    memory::dims weiDims = c.groups > 1
        ? memory::dims{c.groups, c.M / c.groups, c.C / c.groups, c.KH, c.KW}
        : memory::dims{c.M, c.C, c.KH, c.KW};
    memory::desc srcAny(srcDims, dt::f32, tag::any),
        weiAny(weiDims, dt::f32, tag::any), dstAny(dstDims, dt::f32, tag::any);
    convolution_forward::desc d(prop_kind::forward_inference,
                                algorithm::convolution_direct, srcAny, weiAny,
                                dstAny, {1, 1}, {c.pad, c.pad}, {c.pad, c.pad});
    convolution_forward::primitive_desc pd(d, eng);
    impl = pd.impl_info_str();
    memory weiUser({weiDims, dt::f32, c.groups > 1 ? tag::goihw : tag::oihw},
                   eng, c.wm.data());
    wei = memory(pd.weights_desc(), eng);
    reorder(weiUser, wei).execute(strm, weiUser, wei);
    memory srcUser({srcDims, dt::f32, tag::nchw}, eng, c.x.data());
    src = memory(pd.src_desc(), eng);
    reorder(srcUser, src).execute(strm, srcUser, src);
    dst = memory(pd.dst_desc(), eng);
    dstUser = memory({dstDims, dt::f32, tag::nchw}, eng, y.data());
    prim = convolution_forward(pd);
    args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  }
  strm.wait();
  run = [&] {
    prim.execute(strm, args);
    strm.wait();
  };
  Stats s = measure(o, run);
  if (!c.isFC()) {
    reorder(dst, dstUser).execute(strm, dst, dstUser);
    strm.wait();
  }
  writeOutput(o, y.data(), y.size());
  reportOK(s, impl + " isa " + isaName(get_effective_cpu_isa()));
  return 0;
}
