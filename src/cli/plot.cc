#include "cli/plot.h"

#include <algorithm>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgetl/file_io.h"

namespace edgetl::cli {

Status WriteCurveCsv(const std::filesystem::path& path, const std::vector<TrainingReport>& curve) {
  std::string text = "iteration,learning_rate,train_loss,train_accuracy,val_loss,val_accuracy\n";
  char line[160];
  for (const auto& r : curve) {
    std::snprintf(line, sizeof(line), "%d,%g,%.6f,%.6f,%.6f,%.6f\n", r.iteration, r.learning_rate,
                  r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy);
    text += line;
  }
  return WriteFileAtomic(path, std::string_view(text));
}

namespace {

struct Panel {
  cv::Rect area;
  double y_min, y_max;
  int x_max;

  cv::Point At(int iteration, double value) const {
    const double fx = x_max > 0 ? double(iteration) / x_max : 0;
    const double fy = y_max > y_min ? (value - y_min) / (y_max - y_min) : 0;
    return {area.x + static_cast<int>(fx * area.width),
            area.y + area.height - static_cast<int>(fy * area.height)};
  }
};

void DrawSeries(cv::Mat& img, const Panel& p, const std::vector<TrainingReport>& curve,
                double (*value)(const TrainingReport&), const cv::Scalar& color) {
  for (size_t i = 1; i < curve.size(); ++i) {
    cv::line(img, p.At(curve[i - 1].iteration, value(curve[i - 1])),
             p.At(curve[i].iteration, value(curve[i])), color, 2, cv::LINE_AA);
  }
  if (curve.size() == 1) cv::circle(img, p.At(curve[0].iteration, value(curve[0])), 3, color, -1);
}

void DrawFrame(cv::Mat& img, const Panel& p, const std::string& title) {
  cv::rectangle(img, p.area, cv::Scalar(160, 160, 160), 1);
  char buf[64];
  cv::putText(img, title, {p.area.x, p.area.y - 8}, cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  std::snprintf(buf, sizeof(buf), "%.3g", p.y_max);
  cv::putText(img, buf, {4, p.area.y + 10}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
  std::snprintf(buf, sizeof(buf), "%.3g", p.y_min);
  cv::putText(img, buf, {4, p.area.y + p.area.height}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  std::snprintf(buf, sizeof(buf), "%d", p.x_max);
  cv::putText(img, buf, {p.area.x + p.area.width - 30, p.area.y + p.area.height + 16},
              cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
}

}  // namespace

Status WriteCurvePlot(const std::filesystem::path& path, const std::vector<TrainingReport>& curve,
                      bool has_validation) {
  if (curve.empty()) return InvalidArgument("no training curve to plot");
  cv::Mat img(520, 720, CV_8UC3, cv::Scalar(255, 255, 255));
  const int x_max = curve.back().iteration;
  double loss_max = 0;
  for (const auto& r : curve)
    loss_max = std::max({loss_max, double(r.train_loss), double(r.val_loss)});
  const Panel loss{{60, 30, 640, 190}, 0.0, loss_max, x_max};
  const Panel acc{{60, 280, 640, 190}, 0.0, 1.0, x_max};
  DrawFrame(img, loss, "loss (blue: train, red: validation)");
  DrawFrame(img, acc, "accuracy (blue: train, red: validation) vs iteration");
  const cv::Scalar blue(200, 80, 0), red(30, 30, 220);
  DrawSeries(
      img, loss, curve, [](const TrainingReport& r) { return double(r.train_loss); }, blue);
  if (has_validation)
    DrawSeries(
        img, loss, curve, [](const TrainingReport& r) { return double(r.val_loss); }, red);
  DrawSeries(
      img, acc, curve, [](const TrainingReport& r) { return double(r.train_accuracy); }, blue);
  if (has_validation) {
    DrawSeries(
        img, acc, curve, [](const TrainingReport& r) { return double(r.val_accuracy); }, red);
  }
  std::vector<uint8_t> png;
  try {
    if (!cv::imencode(".png", img, png)) return IoError("cannot encode the plot as PNG");
  } catch (const cv::Exception& e) {
    return IoError(std::string("cannot encode the plot: ") + e.what());
  }
  return WriteFileAtomic(path, png);
}

}  // namespace edgetl::cli
