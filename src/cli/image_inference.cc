#include "cli/image_inference.h"

namespace edgetl::cli {

Result<std::vector<float>> RunOnImage(Interpreter& interpreter, const std::string& path,
                                      const PixelConversion& conversion) {
  const TensorView input = interpreter.input(0);
  const auto& shape = input.info->shape;
  if (shape.size() != 4 || shape[0] != 1 || (shape[3] != 1 && shape[3] != 3)) {
    return InvalidArgument("model input " + input.info->ShapeString() +
                           " is not an image tensor [1,H,W,1|3]");
  }
  EDGETL_ASSIGN_OR_RETURN(Image image, LoadImage(path, shape[3], shape[2], shape[1]));
  EDGETL_RETURN_IF_ERROR(ResizeBilinearInto(image, input, conversion).WithContext(path));
  EDGETL_RETURN_IF_ERROR(interpreter.Invoke());
  return interpreter.DequantizedOutput(0);
}

}  // namespace edgetl::cli
