// edgetl embed --model MODEL [--json] IMAGE...
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "edgetl/dataset.h"

namespace edgetl::cli {

int Embed(const Argv& argv) {
  auto args = Args::Parse(argv, {"model"}, {"json", "raw-int8", "help"});
  if (!args.ok()) return Fail("embed", args.status());
  if (args->has("help")) {
    std::puts(
        "usage: edgetl embed --model MODEL [--json] [--raw-int8] IMAGE...\n"
        "  --raw-int8: copy 8-bit pixels into an int8 input unchanged instead of\n"
        "  subtracting 128 (TFLite Micro sample images store int8 values).\n"
        "  Prints the dequantized output vector of an embedding extractor per image:\n"
        "  'IMAGE v0 v1 ...' per line, or one JSON object per line with --json.");
    return 0;
  }
  auto model_path = args->require("model");
  if (!model_path.ok()) return Fail("embed", model_path.status());
  if (args->positional().empty()) return Fail("embed", InvalidArgument("no images given"));
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("embed", model.status());
  const std::vector<std::filesystem::path> images(args->positional().begin(),
                                                  args->positional().end());
  auto results = RunOnImages(*model, images, {0, PixelConversion{args->has("raw-int8")}});
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
