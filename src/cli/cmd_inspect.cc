// edgetl inspect MODEL [--json]
#include <cstdio>
#include <map>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "edgetl/model.h"

namespace edgetl::cli {
namespace {

std::string QuantText(const TensorInfo& t) {
  if (t.quant.empty()) return "";
  if (t.quant.per_channel()) {
    return " per-channel(" + std::to_string(t.quant.scale.size()) + " scales, axis " +
           std::to_string(t.quant.axis) + ")";
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), " scale=%g zero_point=%lld", t.quant.scale[0],
                static_cast<long long>(t.quant.zero_point[0]));
  return buf;
}

std::string TensorJson(const TensorInfo& t) {
  std::vector<std::string> shape, scale, zp;
  for (int d : t.shape) shape.push_back(std::to_string(d));
  for (float s : t.quant.scale) scale.push_back(JsonNumber(s));
  for (int64_t z : t.quant.zero_point) zp.push_back(std::to_string(z));
  return JsonObject({{"index", std::to_string(t.index)},
                     {"name", JsonString(t.name)},
                     {"type", JsonString(TensorTypeName(t.type))},
                     {"shape", JsonArray(shape)},
                     {"scale", JsonArray(scale)},
                     {"zero_point", JsonArray(zp)}});
}

}  // namespace

int Inspect(const Argv& argv) {
  auto args = Args::Parse(argv, {}, {"json", "help"});
  if (!args.ok()) return Fail("inspect", args.status());
  if (args->has("help") || args->positional().size() != 1) {
    std::fputs("usage: edgetl inspect MODEL [--json]\n", args->has("help") ? stdout : stderr);
    return args->has("help") ? 0 : 2;
  }
  auto model = Model::FromFile(args->positional()[0]);
  if (!model.ok()) return Fail("inspect", model.status());
  std::map<std::string, int> op_counts;
  for (int i = 0; i < model->num_operators(); ++i) ++op_counts[model->op(i).op_name];
  const ModelKind kind = model->kind();

  if (args->has("json")) {
    std::vector<std::string> inputs, outputs, ops, warnings, metadata;
    for (int t : model->inputs()) inputs.push_back(TensorJson(model->tensor(t)));
    for (int t : model->outputs()) outputs.push_back(TensorJson(model->tensor(t)));
    for (const auto& [name, count] : op_counts) {
      ops.push_back(JsonObject({{"op", JsonString(name)}, {"count", std::to_string(count)}}));
    }
    for (const auto& w : model->warnings()) warnings.push_back(JsonString(w));
    for (const auto& m : model->metadata_names()) metadata.push_back(JsonString(m));
    std::printf("%s\n", JsonObject({{"model", JsonString(args->positional()[0])},
                                    {"kind", JsonString(ModelKindName(kind))},
                                    {"description", JsonString(model->description())},
                                    {"num_operators", std::to_string(model->num_operators())},
                                    {"num_tensors", std::to_string(model->num_tensors())},
                                    {"inputs", JsonArray(inputs)},
                                    {"outputs", JsonArray(outputs)},
                                    {"ops", JsonArray(ops)},
                                    {"metadata", JsonArray(metadata)},
                                    {"warnings", JsonArray(warnings)}})
                            .c_str());
    return 0;
  }
  std::printf("model: %s\n", args->positional()[0].c_str());
  std::printf("kind: %s\n", ModelKindName(kind));
  if (kind == ModelKind::kEdgeTpuCompiled) {
    std::printf("  (compiled for the Edge TPU: edgetl needs the CPU version of this model)\n");
  }
  std::printf("description: %s\n", model->description().c_str());
  for (const char* which : {"inputs", "outputs"}) {
    std::printf("%s:\n", which);
    for (int t : std::string(which) == "inputs" ? model->inputs() : model->outputs()) {
      const TensorInfo info = model->tensor(t);
      std::printf("  %d '%s' %s %s%s\n", t, info.name.c_str(), TensorTypeName(info.type).c_str(),
                  info.ShapeString().c_str(), QuantText(info).c_str());
    }
  }
  std::printf("operators: %d\n", model->num_operators());
  for (const auto& [name, count] : op_counts) std::printf("  %-24s %d\n", name.c_str(), count);
  if (!model->metadata_names().empty()) {
    std::printf("metadata:");
    for (const auto& m : model->metadata_names()) std::printf(" %s", m.c_str());
    std::printf("\n");
  }
  for (const auto& w : model->warnings()) std::printf("warning: %s\n", w.c_str());
  return 0;
}

}  // namespace edgetl::cli
