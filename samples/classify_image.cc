// Classifies one image with a quantized TFLite classifier, using only
// edgetl's public API.
//   classify_image MODEL IMAGE [LABELS]
#include <cstdio>
#include <map>
#include <string>

#include "edgetl/classification.h"
#include "edgetl/image.h"
#include "edgetl/interpreter.h"
#include "edgetl/labels.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL IMAGE [LABELS]\n", argv[0]);
    return 2;
  }
  auto fail = [](const edgetl::Status& s) {
    std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
    return 1;
  };
  auto model = edgetl::Model::FromFile(argv[1]);
  if (!model.ok()) return fail(model.status());
  auto interpreter = edgetl::Interpreter::Create(*model);
  if (!interpreter.ok()) return fail(interpreter.status());
  const edgetl::TensorView input = interpreter->input(0);
  auto image = edgetl::LoadImage(argv[2], input.info->shape.back());
  if (!image.ok()) return fail(image.status());
  if (auto s = edgetl::ResizeBilinearInto(*image, input); !s.ok()) return fail(s);
  if (auto s = interpreter->Invoke(); !s.ok()) return fail(s);
  auto scores = interpreter->DequantizedOutput(0);
  if (!scores.ok()) return fail(scores.status());
  std::map<int, std::string> labels;
  if (argc > 3) {
    auto read = edgetl::ReadLabels(argv[3]);
    if (!read.ok()) return fail(read.status());
    labels = *read;
  }
  for (const auto& c : edgetl::TopK(*scores, 3)) {
    std::printf("%5d  %.3f  %s\n", c.id, c.score, labels.count(c.id) ? labels[c.id].c_str() : "");
  }
  return 0;
}
