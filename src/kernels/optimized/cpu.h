// Run-time CPU feature checks for kernel dispatch. Internal header.
#pragma once

namespace edgetl::optimized {

// AVX-512 F/BW/VL with VNNI (vpdpbusd: u8 x s8 dot products of 4 into int32):
// Intel Ice Lake and later, AMD Zen 4 and later. EDGETL_NO_VNNI=1 turns the
// path off (to measure or test the portable one).
bool HasAvx512Vnni();

}  // namespace edgetl::optimized
