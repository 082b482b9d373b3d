#include "edgetl/imprinter.h"

#include <optional>

#include "edgetl/interpreter.h"
#include "edgetl/labels.h"

namespace edgetl {

struct Imprinter::State {
  ImprintingEngine engine;
  Interpreter extractor;
  // The trained model and its interpreter, rebuilt when training changed it.
  std::optional<Interpreter> classifier;
  bool dirty = true;

  State(ImprintingEngine e, Interpreter x) : engine(std::move(e)), extractor(std::move(x)) {}
};

Imprinter::Imprinter(std::unique_ptr<State> state) : state_(std::move(state)) {}
Imprinter::Imprinter(Imprinter&&) noexcept = default;
Imprinter& Imprinter::operator=(Imprinter&&) noexcept = default;
Imprinter::~Imprinter() = default;

Result<Imprinter> Imprinter::Open(const std::filesystem::path& model, bool keep_classes,
                                  float scale) {
  EDGETL_ASSIGN_OR_RETURN(Model m, Model::FromFile(model));
  return Create(m, keep_classes, scale);
}

Result<Imprinter> Imprinter::Create(const Model& model, bool keep_classes, float scale) {
  Model imprintable = model;
  if (!ValidateImprintingModel(model).ok()) {
    EDGETL_ASSIGN_OR_RETURN(imprintable, MakeImprintable(model, {"", scale}));
  }
  EDGETL_ASSIGN_OR_RETURN(ImprintingEngine engine,
                          ImprintingEngine::Create(imprintable, keep_classes));
  EDGETL_ASSIGN_OR_RETURN(Interpreter extractor, Interpreter::Create(engine.extractor()));
  return Imprinter(std::make_unique<State>(std::move(engine), std::move(extractor)));
}

Result<int> Imprinter::Add(const Image& image, const std::string& label) {
  EDGETL_RETURN_IF_ERROR(ResizeBilinearInto(image, state_->extractor.input(0)));
  return TrainOnInput(label);
}

Result<int> Imprinter::AddFrame(const Frame& frame, const std::string& label) {
  // Straight from the camera buffer into the input tensor.
  EDGETL_RETURN_IF_ERROR(FrameInto(frame, state_->extractor.input(0)));
  return TrainOnInput(label);
}

Result<int> Imprinter::TrainOnInput(const std::string& label) {
  EDGETL_RETURN_IF_ERROR(state_->extractor.Invoke());
  EDGETL_ASSIGN_OR_RETURN(std::vector<float> embedding, state_->extractor.DequantizedOutput(0));
  EDGETL_ASSIGN_OR_RETURN(int id, state_->engine.TrainLabel(embedding, label));
  state_->dirty = true;
  return id;
}

Result<std::vector<ClassScore>> Imprinter::Classify(const Image& image, int k) {
  if (state_->dirty || !state_->classifier) {
    EDGETL_ASSIGN_OR_RETURN(Model trained, state_->engine.SerializeModel());
    EDGETL_ASSIGN_OR_RETURN(Interpreter interpreter, Interpreter::Create(trained));
    state_->classifier.emplace(std::move(interpreter));
    state_->dirty = false;
  }
  Interpreter& classifier = *state_->classifier;
  EDGETL_RETURN_IF_ERROR(ResizeBilinearInto(image, classifier.input(0)));
  EDGETL_RETURN_IF_ERROR(classifier.Invoke());
  EDGETL_ASSIGN_OR_RETURN(std::vector<float> scores, classifier.DequantizedOutput(0));
  return TopK(scores, k);
}

Status Imprinter::Save(const std::filesystem::path& model_path) {
  EDGETL_ASSIGN_OR_RETURN(Model trained, state_->engine.SerializeModel());
  std::map<int, std::string> labels;
  for (int c = 0; c < state_->engine.num_classes(); ++c) labels[c] = label(c);
  EDGETL_RETURN_IF_ERROR(trained.Save(model_path));
  std::filesystem::path labels_path = model_path;
  return WriteLabels(labels_path.replace_extension(".txt"), labels);
}

ImprintingEngine& Imprinter::engine() { return state_->engine; }

std::string Imprinter::label(int class_id) const {
  const auto& classes = state_->engine.classes();
  return class_id >= 0 && class_id < static_cast<int>(classes.size()) ? classes[class_id].label
                                                                      : "";
}

}  // namespace edgetl
