// Training curves: a CSV and a PNG plot (loss, and train/validation accuracy).
#pragma once

#include <filesystem>
#include <vector>

#include "edgetl/softmax_regression.h"
#include "edgetl/status.h"

namespace edgetl::cli {

Status WriteCurveCsv(const std::filesystem::path& path, const std::vector<TrainingReport>& curve);
// Two panels drawn with OpenCV: loss (train, validation) and accuracy.
// The validation series are drawn only when `has_validation`.
Status WriteCurvePlot(const std::filesystem::path& path, const std::vector<TrainingReport>& curve,
                      bool has_validation);

}  // namespace edgetl::cli
