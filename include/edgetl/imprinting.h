// Weight imprinting: learn classes from a few embeddings by storing, per
// class, the normalized sum of its L2-normalized embeddings as the weights of
// a 1x1 convolution followed by a scale and a softmax ("Low-Shot Learning
// with Imprinted Weights", Qi et al. 2018). Compatible with the models and
// description metadata of Coral's ImprintingEngine.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "edgetl/model.h"
#include "edgetl/status.h"

namespace edgetl {

// ---- Model format -----------------------------------------------------------

// Coral's format: subgraph 0 holds exactly one L2_NORMALIZATION whose output is
// [1,1,1,D], and ends with CONV_2D (1x1, one weight row per class) -> MUL
// (scale factor) -> RESHAPE -> SOFTMAX ([1,C], the only graph output), with at
// most one QUANTIZE between the L2Norm and the Conv.
struct ImprintingLayout {
  int l2norm_op = -1;
  int conv_op = -1;  // then mul = conv + 1, reshape = conv + 2, softmax = conv + 3
  int embedding_dim = 0;
  int num_rows = 0;  // weight rows in the model as given
};

// Checks a model against Coral's format. Errors (kInvalidArgument) carry
// Coral's own messages, e.g. "Unsupported model architecture. Input model
// must have an L2Norm layer." or "The last 4 operators must be Conv2d, Mul,
// Reshape, Softmax".
Result<ImprintingLayout> ValidateImprintingModel(const Model& model);

struct MakeImprintableOptions {
  // The tensor to use as the embedding; empty = the model's only output.
  std::string embedding_tensor;
  // Softmax logits are scale * cos(embedding, class weights). The default
  // (see kDefaultImprintingScale) gives every correct class of the shared
  // imprinting images a score above 0.99.
  float scale = 0;
};
constexpr float kDefaultImprintingScale = 30.f;

// Turns an embedding extractor (output [1,D] or [1,1,1,D]) or any model with a
// named embedding tensor into an imprinting model: keeps the ops that compute
// the embedding and appends [RESHAPE to [1,1,1,D]] -> L2_NORMALIZATION ->
// CONV_2D 1x1 -> MUL(scale) -> RESHAPE -> SOFTMAX, quantized like the
// embedding (uint8: L2Norm output scale 1/128 zero point 128; int8: zero
// point 0). The new model has no classes yet.
// Errors: kInvalidArgument (no such tensor, not a vector, bad scale),
// kUnsupported (embedding type not uint8/int8).
Result<Model> MakeImprintable(const Model& extractor, const MakeImprintableOptions& options = {});

// ---- Coral description metadata -------------------------------------------

// Coral stores, for each class trained by imprinting, the L2 norm of its
// embedding sum in the model description: "%d %f\n" per class, ascending.
std::string FormatImprintingMetadata(const std::map<int, float>& norms);
// Parses that format; anything else (e.g. "MLIR Converted.", or a negative,
// non-finite or out-of-range entry) gives an empty map, as in Coral.
std::map<int, float> ParseImprintingMetadata(const std::string& description);

// ---- Engine ------------------------------------------------------------------

struct ImprintedClass {
  std::vector<float> sum;  // sum of the L2-normalized embeddings seen
  bool trainable = true;   // false for base classes (rows without metadata)
  std::string label;
  int samples = 0;  // embeddings added, across saves
};

class ImprintingEngine {
 public:
  // At most this many embeddings per class, counted across Train calls and
  // across save/load (Coral's old API checked 200 per call only).
  static constexpr int kMaxSamplesPerClass = 200;

  // `model` must pass ValidateImprintingModel. With keep_classes, the model's
  // rows become classes: rows listed in the Coral metadata are trainable
  // (their sums are recovered as dequantized row x stored norm), the others
  // are locked base classes. Labels and sample counts stored by edgetl are
  // restored. Without keep_classes, training starts from no classes.
  static Result<ImprintingEngine> Create(const Model& model, bool keep_classes);

  ImprintingEngine(ImprintingEngine&&) noexcept;
  ImprintingEngine& operator=(ImprintingEngine&&) noexcept;
  ~ImprintingEngine();

  // The same graph with the L2Norm output as its output: run it on images to
  // get the embeddings Train takes.
  const Model& extractor() const;
  int embedding_dim() const;
  int num_classes() const;
  const std::vector<ImprintedClass>& classes() const;

  // Adds one embedding to `class_id`. The embedding is L2-normalized first.
  // class_id == num_classes() starts a new class. Errors:
  // kInvalidArgument: wrong embedding size, non-finite or all-zero values,
  //   negative id, "The class index of a new category is too large!",
  //   "Cannot change the base model classes not trained with imprinting method!";
  // kOutOfRange: the class already has kMaxSamplesPerClass samples (nothing
  //   changes).
  Status Train(std::span<const float> embedding, int class_id);

  // The class id for `label`, adding a new class when the label is unknown;
  // then trains it. Errors: those of Train; kInvalidArgument for a label
  // with a line break (labels are stored one per line).
  Result<int> TrainLabel(std::span<const float> embedding, const std::string& label);

  // Sets a class's label. Errors: kOutOfRange; kInvalidArgument for a label
  // with a line break.
  Status SetLabel(int class_id, const std::string& label);
  // Removes a class; later classes move down one id. Errors: kOutOfRange.
  Status RemoveClass(int class_id);

  // The trained model: the input model with its last layer rewritten for the
  // current classes, Coral's metadata in the description and edgetl's
  // labels/sample counts in a metadata entry; everything else unchanged.
  // Errors: kFailedPrecondition "Model is not trained." with no classes.
  Result<Model> SerializeModel() const;

 private:
  struct State;
  explicit ImprintingEngine(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Name of the metadata entry where edgetl keeps labels and sample counts
// (Coral ignores it).
constexpr const char kImprintingClassesMetadata[] = "edgetl.imprinting.classes";

}  // namespace edgetl
