// edgetl embed --model MODEL [--json] IMAGE...
// edgetl embed --model MODEL --data DIR|LIST --out FILE.csv
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/image_args.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "edgetl/dataset.h"
#include "edgetl/file_io.h"

namespace edgetl::cli {
namespace {

constexpr const char kUsage[] =
    "usage: edgetl embed --model MODEL [--json] [options] IMAGE...\n"
    "       edgetl embed --model MODEL --data DIR|LIST --out FILE.csv [--threads N] [options]\n"
    "  Prints the dequantized output vector of an embedding extractor per image:\n"
    "  'IMAGE v0 v1 ...' per line, or one JSON object per line with --json.\n"
    "  With --data, embeds a whole dataset (one subfolder per class, or a list of\n"
    "  'image,class' lines) and writes FILE.csv: image,class_id,class,v0,v1,...\n"
    "  Unreadable images are skipped with a warning.\n";

// The whole-dataset form: cached, parallel, written atomically.
int EmbedDataset(const Args& args, const Model& model, const Preprocessing& pre) {
  auto out = args.require("out");
  if (!out.ok()) return Fail("embed", out.status());
  auto threads = args.get_int("threads", 0);
  if (!threads.ok()) return Fail("embed", threads.status());
  const std::filesystem::path data = *args.get("data");
  auto dataset = LoadDataset(data);
  if (!dataset.ok()) return Fail("embed", dataset.status());
  std::vector<std::filesystem::path> paths;
  for (const Sample& s : dataset->samples) paths.push_back(s.path);
  auto cache = OpenCacheFromArgs(args, data, model, pre);
  Result<std::vector<Result<std::vector<float>>>> results(Internal("not run"));
  {
    Progress progress("embedding");
    results = RunOnImages(model, paths, {*threads, pre, cache ? &*cache : nullptr},
                          [&](size_t d, size_t t) { progress.Update(d, t); });
  }
  if (!results.ok()) return Fail("embed", results.status());
  SaveCache(cache);
  std::string csv = "image,class_id,class";
  size_t dim = 0, written = 0, skipped = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    const auto& e = (*results)[i];
    if (!e.ok()) {
      std::fprintf(stderr, "warning: skipping %s: %s\n", paths[i].c_str(),
                   e.status().message().c_str());
      ++skipped;
      continue;
    }
    if (dim == 0) {
      dim = e->size();
      for (size_t d = 0; d < dim; ++d) csv += ",v" + std::to_string(d);
    }
    const Sample& s = dataset->samples[i];
    csv += "\n" + CsvField(s.path.string()) + "," + std::to_string(s.label) + "," +
           CsvField(dataset->class_names[s.label]);
    char buf[32];
    for (float v : *e) {
      std::snprintf(buf, sizeof buf, ",%.9g", v);
      csv += buf;
    }
    ++written;
  }
  csv += "\n";
  if (written == 0) return Fail("embed", InvalidArgument("no image of the dataset could be read"));
  if (Status s = WriteFileAtomic(*out, csv); !s.ok()) return Fail("embed", s);
  std::printf("%zu embeddings of %zu values, %zu classes -> %s\n", written, dim,
              dataset->class_names.size(), out->c_str());
  if (skipped) std::printf("%zu image(s) skipped (see warnings)\n", skipped);
  return 0;
}

}  // namespace

int Embed(const Argv& argv) {
  auto args = Args::Parse(
      argv, Union({{"model", "data", "out", "threads"}, kPreprocessingOptions, kCacheOptions}),
      Union({{"json", "help"}, kPreprocessingFlags, kCacheFlags}));
  if (!args.ok()) return Fail("embed", args.status());
  if (args->has("help")) {
    std::printf("%s%s%s", kUsage, kPreprocessingHelp, kCacheHelp);
    return 0;
  }
  auto model_path = args->require("model");
  if (!model_path.ok()) return Fail("embed", model_path.status());
  auto pre = PreprocessingFromArgs(*args);
  if (!pre.ok()) return Fail("embed", pre.status());
  if (args->has("data") == !args->positional().empty()) {
    return Fail("embed", InvalidArgument("give images or --data, not both or neither"));
  }
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("embed", model.status());
  if (args->has("data")) return EmbedDataset(*args, *model, *pre);

  const std::vector<std::filesystem::path> images(args->positional().begin(),
                                                  args->positional().end());
  auto results = RunOnImages(*model, images, {0, *pre});
  if (!results.ok()) return Fail("embed", results.status());
  int failures = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& image = args->positional()[i];
    const auto& embedding = (*results)[i];
    if (!embedding.ok()) {
      Fail("embed", embedding.status());
      ++failures;
      continue;
    }
    if (args->has("json")) {
      std::vector<std::string> values;
      for (float v : *embedding) values.push_back(JsonNumber(v));
      std::printf(
          "%s\n",
          JsonObject({{"image", JsonString(image)}, {"embedding", JsonArray(values)}}).c_str());
    } else {
      std::printf("%s", image.c_str());
      for (float v : *embedding) std::printf(" %.6g", v);
      std::printf("\n");
    }
  }
  return failures ? 1 : 0;
}

}  // namespace edgetl::cli
