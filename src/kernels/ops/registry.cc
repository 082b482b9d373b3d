#include "kernels/ops/registry.h"

namespace edgetl {

// Every builtin op edgetl runs. Adding an op: write src/kernels/ops/<op>.cc
// ending in EDGETL_REGISTER_KERNEL(<OP>, <Class>) and list it here.
#define EDGETL_FOR_EACH_KERNEL(X)                                                                  \
  X(CONV_2D)                                                                                       \
  X(DEPTHWISE_CONV_2D) X(FULLY_CONNECTED) X(AVERAGE_POOL_2D) X(MAX_POOL_2D) X(MEAN) X(ADD) X(SUB)  \
      X(MUL) X(CONCATENATION) X(PAD) X(PADV2) X(RESHAPE) X(SQUEEZE) X(SOFTMAX) X(L2_NORMALIZATION) \
          X(LOGISTIC) X(RELU) X(RELU6) X(HARD_SWISH) X(QUANTIZE) X(DEQUANTIZE)

#define EDGETL_DECLARE_FACTORY(OP) std::unique_ptr<OpKernel> CreateKernel_##OP();
EDGETL_FOR_EACH_KERNEL(EDGETL_DECLARE_FACTORY)

std::unique_ptr<OpKernel> CreateKernel(fb::BuiltinOperator code) {
  switch (code) {
#define EDGETL_FACTORY_CASE(OP) \
  case fb::BuiltinOperator::OP: \
    return CreateKernel_##OP();
    EDGETL_FOR_EACH_KERNEL(EDGETL_FACTORY_CASE)
    default:
      return nullptr;
  }
}

}  // namespace edgetl
