// edgetl make-imprintable --model EXTRACTOR [--embedding-tensor NAME] [--scale S] --out MODEL
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "edgetl/imprinting.h"

namespace edgetl::cli {

int MakeImprintableCommand(const Argv& argv) {
  auto args = Args::Parse(argv, {"model", "embedding-tensor", "scale", "out"}, {"help"});
  if (!args.ok()) return Fail("make-imprintable", args.status());
  if (args->has("help")) {
    std::puts(
        "usage: edgetl make-imprintable --model EXTRACTOR [--embedding-tensor NAME] [--scale S] "
        "--out MODEL\n"
        "  Appends L2Norm -> Conv2D 1x1 -> Mul(scale) -> Reshape -> Softmax (Coral's imprinting\n"
        "  format) to an embedding extractor, or to any model at its tensor NAME.");
    return 0;
  }
  auto model_path = args->require("model");
  if (!model_path.ok()) return Fail("make-imprintable", model_path.status());
  auto out = args->require("out");
  if (!out.ok()) return Fail("make-imprintable", out.status());
  auto scale = args->get_double("scale", kDefaultImprintingScale);
  if (!scale.ok()) return Fail("make-imprintable", scale.status());
  auto model = Model::FromFile(*model_path);
  if (!model.ok()) return Fail("make-imprintable", model.status());
  auto made =
      MakeImprintable(*model, {args->get_or("embedding-tensor", ""), static_cast<float>(*scale)});
  if (!made.ok()) return Fail("make-imprintable", made.status());
  if (Status s = made->Save(*out); !s.ok()) return Fail("make-imprintable", s);
  std::printf("wrote %s (embedding dimension %d, scale %g)\n", out->c_str(),
              ValidateImprintingModel(*made)->embedding_dim, *scale);
  return 0;
}

}  // namespace edgetl::cli
