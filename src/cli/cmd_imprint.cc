// edgetl imprint --model MODEL --data DIR [--keep-classes] [--test-ratio R] [--scale S]
//                [--out OUT.tflite] [--threads N] [--json]
#include <chrono>
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/image_args.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "edgetl/classification.h"
#include "edgetl/dataset.h"
#include "edgetl/imprinting.h"
#include "edgetl/labels.h"

namespace edgetl::cli {
namespace {

constexpr const char kHelp[] =
    "usage: edgetl imprint --model MODEL --data DIR [--keep-classes] [--test-ratio R] [--scale S]\n"
    "                      [--out OUT.tflite] [--threads N] [--json] [preprocessing options]\n"
    "                      [--cache FILE | --no-cache]\n"
    "  Learns one class per subfolder of DIR (or per class of a list of 'image,class' lines) by "
    "weight imprinting. MODEL is a Coral-format\n"
    "  imprinting model or any embedding extractor (made imprintable with --scale, default 30).\n"
    "  Per class, the first max(1, R*n) sorted files are held out for testing (Coral's split,\n"
    "  R default 0.25; 0 trains on every image). Writes OUT.tflite and its labels OUT.txt, then\n"
    "  reports top-1..5 accuracy of the saved model on the held-out images.\n"
    "  --keep-classes keeps the model's classes: folders named like an existing class add to it.";

std::filesystem::path DefaultOut(const std::string& model) {
  std::filesystem::path p(model);
  return p.replace_filename(p.stem().string() + "_imprinted.tflite");
}

std::vector<std::filesystem::path> Paths(const std::vector<Sample>& samples) {
  std::vector<std::filesystem::path> paths;
  for (const auto& s : samples) paths.push_back(s.path);
  return paths;
}

}  // namespace

int Imprint(const Argv& argv) {
  const auto start = std::chrono::steady_clock::now();
  auto args =
      Args::Parse(argv,
                  Union({{"model", "data", "test-ratio", "scale", "out", "threads"},
                         kPreprocessingOptions,
                         kCacheOptions}),
                  Union({{"keep-classes", "json", "help"}, kPreprocessingFlags, kCacheFlags}));
  if (!args.ok()) return Fail("imprint", args.status());
  if (args->has("help")) {
    std::printf("%s\n%s%s", kHelp, kPreprocessingHelp, kCacheHelp);
    return 0;
  }
  auto model_path = args->require("model");
  auto data_dir = args->require("data");
  auto ratio = args->get_double("test-ratio", 0.25);
  auto scale = args->get_double("scale", kDefaultImprintingScale);
  auto threads = args->get_int("threads", 0);
  for (const Status& s :
       {model_path.status(), data_dir.status(), ratio.status(), scale.status(), threads.status()}) {
    if (!s.ok()) return Fail("imprint", s);
  }
  const std::filesystem::path out =
      args->has("out") ? std::filesystem::path(*args->get("out")) : DefaultOut(*model_path);
  std::filesystem::path labels_path = out;
  labels_path.replace_extension(".txt");

  auto dataset = LoadDataset(*data_dir);
  if (!dataset.ok()) return Fail("imprint", dataset.status());
  auto split = CoralSplit(*dataset, *ratio);
  if (!split.ok()) return Fail("imprint", split.status());
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("imprint", model.status());
  if (!ValidateImprintingModel(*model).ok()) {
    // Not in Coral's format: treat it as an embedding extractor.
    auto made = MakeImprintable(*model, {"", static_cast<float>(*scale)});
    if (!made.ok()) {
      return Fail("imprint", InvalidArgument("the model is neither an imprinting model (" +
                                             ValidateImprintingModel(*model).status().message() +
                                             ") nor an embedding extractor (" +
                                             made.status().message() + ")"));
    }
    model = std::move(made);
  }
  auto engine = ImprintingEngine::Create(*model, args->has("keep-classes"));
  if (!engine.ok()) return Fail("imprint", engine.status());

  // Embeddings of the training images.
  auto pre = PreprocessingFromArgs(*args);
  if (!pre.ok()) return Fail("imprint", pre.status());
  auto cache = OpenCacheFromArgs(*args, *data_dir, engine->extractor(), *pre);
  const InferenceOptions options{*threads, *pre, cache ? &*cache : nullptr};
  std::vector<Result<std::vector<float>>> embeddings;
  {
    Progress progress("extracting");
    auto run = RunOnImages(engine->extractor(), Paths(split->train), options,
                           [&](size_t d, size_t t) { progress.Update(d, t); });
    if (!run.ok()) return Fail("imprint", run.status());
    embeddings = std::move(*run);
  }
  SaveCache(cache);
  std::vector<int> train_count(dataset->class_names.size(), 0),
      test_count(dataset->class_names.size(), 0);
  std::vector<int> class_id(dataset->class_names.size(), -1);
  int skipped = 0;
  for (size_t i = 0; i < split->train.size(); ++i) {
    const Sample& s = split->train[i];
    if (!embeddings[i].ok()) {
      std::fprintf(stderr, "warning: skipping %s: %s\n", s.path.c_str(),
                   embeddings[i].status().message().c_str());
      ++skipped;
      continue;
    }
    auto id = engine->TrainLabel(*embeddings[i], dataset->class_names[s.label]);
    if (!id.ok()) {
      // The 200-sample cap, or a label that names a locked base class.
      std::fprintf(stderr, "warning: %s not used: %s\n", s.path.c_str(),
                   id.status().message().c_str());
      ++skipped;
      continue;
    }
    class_id[s.label] = *id;
    ++train_count[s.label];
  }
  auto trained = engine->SerializeModel();
  if (!trained.ok()) return Fail("imprint", trained.status());
  if (Status s = trained->Save(out); !s.ok()) return Fail("imprint", s);
  std::map<int, std::string> labels;
  for (int c = 0; c < engine->num_classes(); ++c) {
    const std::string& label = engine->classes()[c].label;
    labels[c] = label.empty() ? "class_" + std::to_string(c) : label;
  }
  if (Status s = WriteLabels(labels_path, labels); !s.ok()) return Fail("imprint", s);

  // Top-1..5 accuracy of the saved model on the held-out images.
  std::vector<int> hits(5, 0);
  int evaluated = 0;
  if (!split->test.empty()) {
    Progress progress("evaluating");
    // The trained model is new each time: its outputs are never cached.
    auto run = RunOnImages(*trained, Paths(split->test), {*threads, *pre},
                           [&](size_t d, size_t t) { progress.Update(d, t); });
    if (!run.ok()) return Fail("imprint", run.status());
    for (size_t i = 0; i < split->test.size(); ++i) {
      const Sample& s = split->test[i];
      ++test_count[s.label];
      if (!(*run)[i].ok()) {
        std::fprintf(stderr, "warning: skipping %s: %s\n", s.path.c_str(),
                     (*run)[i].status().message().c_str());
        ++skipped;
        continue;
      }
      ++evaluated;
      const auto top = TopK(*(*run)[i], 5);
      for (int k = 0; k < 5; ++k) {
        for (int j = 0; j <= k && j < static_cast<int>(top.size()); ++j) {
          if (top[j].id == class_id[s.label]) {
            ++hits[k];
            break;
          }
        }
      }
    }
  }
  std::vector<double> accuracy;
  for (int k = 0; k < 5; ++k) accuracy.push_back(evaluated ? double(hits[k]) / evaluated : 0.0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (args->has("json")) {
    std::vector<std::string> acc, classes;
    for (double a : accuracy) acc.push_back(evaluated ? JsonNumber(a) : "null");
    for (size_t c = 0; c < dataset->class_names.size(); ++c) {
      classes.push_back(JsonObject({{"id", std::to_string(class_id[c])},
                                    {"label", JsonString(dataset->class_names[c])},
                                    {"train", std::to_string(train_count[c])},
                                    {"test", std::to_string(test_count[c])}}));
    }
    std::printf("%s\n", JsonObject({{"model", JsonString(out.string())},
                                    {"labels", JsonString(labels_path.string())},
                                    {"num_classes", std::to_string(engine->num_classes())},
                                    {"top_k_accuracy", JsonArray(acc)},
                                    {"test_images", std::to_string(evaluated)},
                                    {"skipped", std::to_string(skipped)},
                                    {"classes", JsonArray(classes)},
                                    {"seconds", JsonNumber(seconds)}})
                            .c_str());
    return 0;
  }
  std::printf("model:  %s (%d classes)\nlabels: %s\n", out.c_str(), engine->num_classes(),
              labels_path.c_str());
  std::printf("%5s  %-24s %6s %6s\n", "id", "label", "train", "test");
  for (size_t c = 0; c < dataset->class_names.size(); ++c) {
    std::printf("%5d  %-24s %6d %6d\n", class_id[c], dataset->class_names[c].c_str(),
                train_count[c], test_count[c]);
  }
  if (evaluated) {
    std::printf("accuracy on %d held-out images:", evaluated);
    for (int k = 0; k < 5; ++k) std::printf("  top-%d %.3f", k + 1, accuracy[k]);
    std::printf("\n");
  } else {
    std::printf("no held-out images (test ratio 0): accuracy not measured\n");
  }
  if (skipped) std::printf("%d image(s) skipped (see warnings)\n", skipped);
  std::printf("done in %.1f s\n", seconds);
  return 0;
}

}  // namespace edgetl::cli
