// Shared by the image commands: run a model on one image file.
#pragma once

#include <string>
#include <vector>

#include "edgetl/image.h"
#include "edgetl/interpreter.h"
#include "edgetl/status.h"

namespace edgetl::cli {

// Decodes `path` to the input's channel count (gray or RGB), resizes it into
// input 0 with half-pixel bilinear, runs the model and returns output 0
// dequantized. Errors name the image.
Result<std::vector<float>> RunOnImage(Interpreter& interpreter, const std::string& path,
                                      const PixelConversion& conversion);

}  // namespace edgetl::cli
