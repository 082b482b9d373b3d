// TensorFlow 2's int8 models take uint8 images and turn them into int8 with
// a QUANTIZE op of equal scales whose output zero point is the input's
// minus 128: x = u - 128, the same bytes with the sign bit flipped. The
// convolution after it flips them back to unsigned bytes for its GEMM, so
// it can read the uint8 tensor instead and the QUANTIZE need not run (on
// MobileNet V2 a pass over 150 KB, about 1% of the model). Internal header.
#pragma once

#include <vector>

#include "edgetl/model.h"

namespace edgetl {

struct SignFlipShim {
  int op = -1;        // the QUANTIZE
  int source = -1;    // its uint8 input tensor
  int consumer = -1;  // the one op reading its int8 output, as input 0
};

// The shims of `model` whose output no other op reads and which is not a
// graph output (it is never written when the shim is skipped).
std::vector<SignFlipShim> FindSignFlipShims(const Model& model);

}  // namespace edgetl
