// The app-level imprinting API: feed images or camera frames with a label,
// classify with what has been learned so far, save.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "edgetl/classification.h"
#include "edgetl/image.h"
#include "edgetl/imprinting.h"

namespace edgetl {

class Imprinter {
 public:
  // `model` is a Coral-format imprinting model, or an embedding extractor that
  // is made imprintable with `scale` (0: kDefaultImprintingScale).
  // Errors: those of Model::FromFile, MakeImprintable, ImprintingEngine::Create.
  static Result<Imprinter> Open(const std::filesystem::path& model, bool keep_classes,
                                float scale = 0);
  static Result<Imprinter> Create(const Model& model, bool keep_classes, float scale = 0);

  Imprinter(Imprinter&&) noexcept;
  Imprinter& operator=(Imprinter&&) noexcept;
  ~Imprinter();

  // Extracts the embedding of `image` and adds it to the class `label`
  // (a new class for a new label). Returns the class id. Errors: those of
  // ResizeBilinearInto and ImprintingEngine::Train (e.g. the 200-sample cap).
  Result<int> Add(const Image& image, const std::string& label);
  // The same for a camera frame (RGB, BGR, RGBA, NV12, NV21, YUYV, I420),
  // converted straight into the model input (no intermediate image).
  // Errors: those of FrameInto, then those of Add.
  Result<int> AddFrame(const Frame& frame, const std::string& label);

  // Top-k classes for `image` with the classes learned so far.
  // Errors: kFailedPrecondition when nothing has been learned yet.
  Result<std::vector<ClassScore>> Classify(const Image& image, int k = 1);

  // Writes the trained model (atomically) and, beside it, the labels file
  // (the model path with ".txt"). Errors: "Model is not trained.", kIoError.
  Status Save(const std::filesystem::path& model_path);

  ImprintingEngine& engine();
  // The label of a class id ("" when it has none).
  std::string label(int class_id) const;

 private:
  struct State;
  explicit Imprinter(std::unique_ptr<State> state);
  // Runs the extractor on its filled input and adds the embedding to `label`.
  Result<int> TrainOnInput(const std::string& label);
  std::unique_ptr<State> state_;
};

}  // namespace edgetl
