// Run-time CPU feature checks for kernel dispatch. Internal header.
#pragma once

namespace edgetl::optimized {

// AVX-512 F/BW/VL with VNNI (vpdpbusd: u8 x s8 dot products of 4 into int32):
// Intel Ice Lake and later, AMD Zen 4 and later. EDGETL_NO_VNNI=1 turns the
// path off (to measure or test the portable one).
bool HasAvx512Vnni();

// AVX2 with FMA (Intel Haswell and later, AMD Zen and later): the int16 GEMM and
// depthwise kernels for CPUs without AVX-512 VNNI. EDGETL_NO_AVX2=1 turns
// it off (the portable kernels run instead).
bool HasAvx2();

// Intel AMX with int8 tile multiplies (Sapphire Rapids and later), on top of
// HasAvx512Vnni(), where the OS grants the process the tile state (Linux:
// arch_prctl(ARCH_REQ_XCOMP_PERM), requested on the first call).
// EDGETL_NO_AMX=1 turns it off (the VNNI kernels run instead).
bool HasAmxInt8();

// The best of the paths above that this process runs ("avx512-vnni+amx",
// "avx512-vnni", "avx2" or "portable"), for benchmark reports: a latency
// means little without the kernels that produced it.
const char* KernelPathName();

}  // namespace edgetl::optimized
