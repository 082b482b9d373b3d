// Classifies live camera frames with edgetl's public API: each OpenCV
// VideoCapture frame (BGR, with its row stride) goes straight into the
// model's input tensor through edgetl::FrameInto, without an intermediate
// image. Runs without a camera too, on a video file or an image sequence.
//   camera_classify MODEL SOURCE [LABELS] [--frames N] [--resize MODE]
// SOURCE: a camera index ("0"), a video file, or an image sequence pattern
// such as "frames/img_%03d.jpg".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <opencv2/videoio.hpp>

#include "edgetl/classification.h"
#include "edgetl/image.h"
#include "edgetl/interpreter.h"
#include "edgetl/labels.h"

namespace {

int Fail(const edgetl::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

bool IsNumber(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  int max_frames = 0;  // 0: until the source ends
  edgetl::Preprocessing pre;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--frames" && i + 1 < argc) {
      max_frames = std::atoi(argv[++i]);
    } else if (arg == "--resize" && i + 1 < argc) {
      auto mode = edgetl::ParseResizeMode(argv[++i]);
      if (!mode.ok()) return Fail(mode.status());
      pre.resize = *mode;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 2) {
    std::fprintf(stderr, "usage: %s MODEL SOURCE [LABELS] [--frames N] [--resize MODE]\n", argv[0]);
    return 2;
  }
  auto model = edgetl::Model::FromFile(positional[0]);
  if (!model.ok()) return Fail(model.status());
  auto interpreter = edgetl::Interpreter::Create(*model);
  if (!interpreter.ok()) return Fail(interpreter.status());
  std::map<int, std::string> labels;
  if (positional.size() > 2) {
    auto read = edgetl::ReadLabels(positional[2]);
    if (!read.ok()) return Fail(read.status());
    labels = *read;
  }

  const std::string& source = positional[1];
  cv::VideoCapture capture;
  if (IsNumber(source)) {
    capture.open(std::atoi(source.c_str()));
  } else {
    capture.open(source);
  }
  if (!capture.isOpened()) {
    std::fprintf(stderr, "error: cannot open video source '%s'\n", source.c_str());
    return 1;
  }
  cv::Mat frame;
  int count = 0;
  double total_ms = 0;
  while ((max_frames == 0 || count < max_frames) && capture.read(frame)) {
    if (frame.type() != CV_8UC3) {
      std::fprintf(stderr, "error: frame %d is not 8-bit BGR\n", count);
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    const edgetl::Frame view{
        edgetl::PixelFormat::kBGR888,
        frame.cols,
        frame.rows,
        static_cast<int>(frame.step),
        {frame.data, static_cast<size_t>(frame.step) * static_cast<size_t>(frame.rows)}};
    if (auto s = edgetl::FrameInto(view, interpreter->input(0), pre); !s.ok()) return Fail(s);
    if (auto s = interpreter->Invoke(); !s.ok()) return Fail(s);
    auto scores = interpreter->DequantizedOutput(0);
    if (!scores.ok()) return Fail(scores.status());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    total_ms += ms;
    const edgetl::ClassScore top = edgetl::TopK(*scores, 1)[0];
    std::printf("frame %4d  %5d  %.3f  %-24s %6.1f ms\n", count, top.id, top.score,
                labels.count(top.id) ? labels[top.id].c_str() : "", ms);
    ++count;
  }
  if (count == 0) {
    std::fprintf(stderr, "error: no frames read from '%s'\n", source.c_str());
    return 1;
  }
  std::printf("%d frames, %.1f ms per frame (convert + resize + inference)\n", count,
              total_ms / count);
  return 0;
}
