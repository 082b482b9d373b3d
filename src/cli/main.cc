// edgetl: on-device transfer learning for quantized TFLite models.
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

#include "cli/commands.h"

namespace {

constexpr const char kUsage[] = R"(usage: edgetl <command> [options]

commands:
  inspect MODEL [--json]
      inputs, outputs, ops and what the model is good for
  classify --model MODEL [--labels FILE] [--top-k K] [--json] [--resize MODE] IMAGE...
      top classes for each image
  embed --model MODEL [--json] [--resize MODE] IMAGE...
  embed --model MODEL --data DIR|LIST --out FILE.csv
      the dequantized output vector of an embedding extractor per image or dataset
  run --model MODEL --input IN.bin [--output OUT.bin]
      raw mode: bytes of input tensor 0 in, bytes of output tensor 0 out
  imprint --model MODEL --data DIR [--keep-classes] [--test-ratio R] [--scale S] [--out OUT]
      learn one class per subfolder of DIR by weight imprinting, then evaluate
  retrain --model EXTRACTOR --data DIR [--epochs N | --iterations N] [--plot FILE.png] [--out OUT]
      train a softmax-regression last layer by backprop and append it to the extractor
  make-imprintable --model EXTRACTOR [--embedding-tensor NAME] [--scale S] --out MODEL
      append Coral's imprinting head to an embedding extractor
  bench --model MODEL [--threads N] [--runs K] [--images DIR|LIST] [--json]
      latency (median, p90), images/s, GMAC/s, prepack cost and peak memory

Run 'edgetl <command> --help' for a command's options.
)";

}  // namespace

namespace edgetl::cli {

int Fail(const std::string& command, const Status& status) {
  std::fprintf(stderr, "edgetl %s: %s\n", command.c_str(), status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace edgetl::cli

int main(int argc, char** argv) {
  using namespace edgetl::cli;
  const std::map<std::string, std::function<int(const Argv&)>> commands = {
      {"inspect", Inspect}, {"classify", Classify}, {"embed", Embed},
      {"run", Run},         {"imprint", Imprint},   {"make-imprintable", MakeImprintableCommand},
      {"retrain", Retrain}, {"bench", Bench}};
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::fprintf(stderr, "edgetl: unknown command '%s'\n\n%s", argv[1], kUsage);
    return 2;
  }
  return it->second(Argv(argv + 2, argv + argc));
}
