// edgetl classify --model MODEL [--labels FILE] [--top-k K] [--json] IMAGE...
#include <cstdio>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/image_args.h"
#include "cli/json.h"
#include "edgetl/classification.h"
#include "edgetl/dataset.h"
#include "edgetl/labels.h"

namespace edgetl::cli {

int Classify(const Argv& argv) {
  auto args = Args::Parse(argv, Union({{"model", "labels", "top-k"}, kPreprocessingOptions}),
                          Union({{"json", "help"}, kPreprocessingFlags}));
  if (!args.ok()) return Fail("classify", args.status());
  if (args->has("help")) {
    std::printf(
        "usage: edgetl classify --model MODEL [--labels FILE] [--top-k K] [--json] [options] "
        "IMAGE...\n"
        "  Labels files hold one label per line, or 'id label' per line.\n%s",
        kPreprocessingHelp);
    return 0;
  }
  auto model_path = args->require("model");
  if (!model_path.ok()) return Fail("classify", model_path.status());
  auto k = args->get_int("top-k", 5);
  if (!k.ok()) return Fail("classify", k.status());
  if (*k <= 0) return Fail("classify", InvalidArgument("--top-k must be positive"));
  if (args->positional().empty()) return Fail("classify", InvalidArgument("no images given"));
  auto pre = PreprocessingFromArgs(*args);
  if (!pre.ok()) return Fail("classify", pre.status());
  std::map<int, std::string> labels;
  if (auto path = args->get("labels")) {
    auto read = ReadLabels(*path);
    if (!read.ok()) return Fail("classify", read.status());
    labels = std::move(*read);
  }
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("classify", model.status());
  const std::vector<std::filesystem::path> images(args->positional().begin(),
                                                  args->positional().end());
  auto results = RunOnImages(*model, images, {0, *pre});
  if (!results.ok()) return Fail("classify", results.status());

  int failures = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& image = args->positional()[i];
    const auto& scores = (*results)[i];
    if (!scores.ok()) {
      Fail("classify", scores.status());
      ++failures;
      continue;
    }
    const auto top = TopK(*scores, *k);
    auto label_of = [&](int id) {
      auto it = labels.find(id);
      return it == labels.end() ? std::string() : it->second;
    };
    if (args->has("json")) {
      std::vector<std::string> entries;
      for (const auto& c : top) {
        entries.push_back(JsonObject({{"id", std::to_string(c.id)},
                                      {"label", JsonString(label_of(c.id))},
                                      {"score", JsonNumber(c.score)}}));
      }
      std::printf("%s\n",
                  JsonObject({{"image", JsonString(image)}, {"top", JsonArray(entries)}}).c_str());
    } else {
      std::printf("%s\n", image.c_str());
      for (const auto& c : top) {
        std::printf("  %5d  %.4f  %s\n", c.id, c.score, label_of(c.id).c_str());
      }
    }
  }
  return failures ? 1 : 0;
}

}  // namespace edgetl::cli
