// edgetl run --model MODEL --input IN.bin [--output OUT.bin]
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "edgetl/file_io.h"
#include "edgetl/interpreter.h"

namespace edgetl::cli {

int Run(const Argv& argv) {
  auto args = Args::Parse(argv, {"model", "input", "output"}, {"help"});
  if (!args.ok()) return Fail("run", args.status());
  if (args->has("help")) {
    std::puts(
        "usage: edgetl run --model MODEL --input IN.bin [--output OUT.bin]\n"
        "  Feeds the raw bytes of IN.bin to input tensor 0 and writes the raw bytes of\n"
        "  output tensor 0 to OUT.bin (stdout without --output).");
    return 0;
  }
  auto model_path = args->require("model");
  if (!model_path.ok()) return Fail("run", model_path.status());
  auto input_path = args->require("input");
  if (!input_path.ok()) return Fail("run", input_path.status());
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("run", model.status());
  auto interpreter = Interpreter::Create(*model);
  if (!interpreter.ok()) return Fail("run", interpreter.status());
  if (interpreter->num_inputs() < 1) return Fail("run", InvalidArgument("the model has no input"));
  auto input = ReadFileBytes(*input_path);
  if (!input.ok()) return Fail("run", input.status());
  Status s = interpreter->SetInput(0, *input);
  if (!s.ok()) return Fail("run", s.WithContext(*input_path));
  s = interpreter->Invoke();
  if (!s.ok()) return Fail("run", s);
  const auto out = interpreter->output(0).data;
  if (auto path = args->get("output")) {
    s = WriteFileAtomic(*path, out);
    if (!s.ok()) return Fail("run", s);
  } else if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
    return Fail("run", IoError("cannot write to stdout"));
  }
  return 0;
}

}  // namespace edgetl::cli
