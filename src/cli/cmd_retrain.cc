// edgetl retrain --model EXTRACTOR --data DIR [options]
#include <chrono>
#include <cmath>
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/image_args.h"
#include "cli/json.h"
#include "cli/plot.h"
#include "cli/progress.h"
#include "edgetl/classification.h"
#include "edgetl/dataset.h"
#include "edgetl/interpreter.h"
#include "edgetl/labels.h"
#include "edgetl/softmax_regression.h"

namespace edgetl::cli {
namespace {

constexpr const char kHelp[] =
    "usage: edgetl retrain --model EXTRACTOR --data DIR [--val-ratio R] [--test-ratio R]\n"
    "                      [--epochs N | --iterations N] [--batch-size B] [--learning-rate LR] "
    "[--l2 L]\n"
    "                      [--momentum M] [--lr-decay D] [--early-stopping K] [--weight-scale S]\n"
    "                      [--seed S] [--report-every N] [--plot FILE.png] [--csv FILE.csv]\n"
    "                      [--out OUT.tflite] [--threads N] [--json] [preprocessing options]\n"
    "                      [--cache FILE | --no-cache]\n"
    "  Trains a softmax-regression last layer on the extractor's embeddings of DIR (one subfolder\n"
    "  per class, or a list of 'image,class' lines), appends it to the extractor as quantized "
    "FULLY_CONNECTED + SOFTMAX, writes\n"
    "  OUT.tflite and OUT.txt, and reports the saved model's test accuracy and its agreement\n"
    "  with the float model. Splits are stratified and seeded (defaults: 0.1 test, 0.1 val).\n"
    "  Defaults follow Coral's example: 500 iterations, batch 100, learning rate 0.01.";

// Gathers embeddings of `samples`; unreadable images are skipped with a warning.
Result<std::pair<Matrix, std::vector<int>>> Embed(const Model& extractor,
                                                  const std::vector<Sample>& samples,
                                                  const InferenceOptions& options, const char* what,
                                                  int* skipped) {
  std::vector<std::filesystem::path> paths;
  for (const auto& s : samples) paths.push_back(s.path);
  Progress progress(std::string("extracting ") + what);
  EDGETL_ASSIGN_OR_RETURN(
      auto results,
      RunOnImages(extractor, paths, options, [&](size_t d, size_t t) { progress.Update(d, t); }));
  Matrix x;
  std::vector<int> y;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!results[i].ok()) {
      std::fprintf(stderr, "warning: skipping %s: %s\n", samples[i].path.c_str(),
                   results[i].status().message().c_str());
      ++*skipped;
      continue;
    }
    x.cols = static_cast<int>(results[i]->size());
    x.values.insert(x.values.end(), results[i]->begin(), results[i]->end());
    y.push_back(samples[i].label);
    ++x.rows;
  }
  return std::make_pair(std::move(x), std::move(y));
}

// Predictions of a quantized head model on float embeddings (requantized to
// the embedding's bytes, which is what the extractor outputs).
Result<std::vector<int>> QuantizedPredictions(const Model& head, const Matrix& x) {
  EDGETL_ASSIGN_OR_RETURN(Interpreter run, Interpreter::Create(head));
  const TensorView in = run.input(0);
  const float scale = in.info->quant.scale[0];
  const int zp = static_cast<int>(in.info->quant.zero_point[0]);
  const bool u8 = in.info->type == TensorType::kUInt8;
  std::vector<int> out;
  for (int r = 0; r < x.rows; ++r) {
    const auto row = x.row(r);
    for (int d = 0; d < x.cols; ++d) {
      const long q = std::lround(row[d] / scale) + zp;
      in.data[d] =
          static_cast<uint8_t>(u8 ? std::clamp<long>(q, 0, 255) : std::clamp<long>(q, -128, 127));
    }
    EDGETL_RETURN_IF_ERROR(run.Invoke());
    EDGETL_ASSIGN_OR_RETURN(std::vector<float> scores, run.DequantizedOutput(0));
    out.push_back(TopK(scores, 1)[0].id);
  }
  return out;
}

double Fraction(const std::vector<int>& a, std::span<const int> b) {
  if (a.empty()) return 0;
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return double(same) / a.size();
}

}  // namespace

int Retrain(const Argv& argv) {
  const auto start = std::chrono::steady_clock::now();
  auto args = Args::Parse(
      argv,
      Union({{"model", "data", "val-ratio", "test-ratio", "epochs", "iterations", "batch-size",
              "learning-rate", "l2", "momentum", "lr-decay", "early-stopping", "weight-scale",
              "seed", "report-every", "plot", "csv", "out", "threads"},
             kPreprocessingOptions,
             kCacheOptions}),
      Union({{"json", "help"}, kPreprocessingFlags, kCacheFlags}));
  if (!args.ok()) return Fail("retrain", args.status());
  if (args->has("help")) {
    std::printf("%s\n%s%s", kHelp, kPreprocessingHelp, kCacheHelp);
    return 0;
  }
  SoftmaxRegressionOptions o;
  auto model_path = args->require("model");
  auto data_dir = args->require("data");
  auto val_ratio = args->get_double("val-ratio", 0.1);
  auto test_ratio = args->get_double("test-ratio", 0.1);
  auto epochs = args->get_int("epochs", 0);
  auto iterations = args->get_int("iterations", o.iterations);
  auto batch = args->get_int("batch-size", o.batch_size);
  auto lr = args->get_double("learning-rate", o.learning_rate);
  auto l2 = args->get_double("l2", o.l2);
  auto momentum = args->get_double("momentum", o.momentum);
  auto decay = args->get_double("lr-decay", o.lr_decay);
  auto patience = args->get_int("early-stopping", 0);
  auto weight_scale = args->get_double("weight-scale", o.weight_scale);
  auto seed = args->get_int("seed", 1);
  auto report_every = args->get_int("report-every", o.report_every);
  auto threads = args->get_int("threads", 0);
  for (const Status& s :
       {model_path.status(), data_dir.status(), val_ratio.status(), test_ratio.status(),
        epochs.status(), iterations.status(), batch.status(), lr.status(), l2.status(),
        momentum.status(), decay.status(), patience.status(), weight_scale.status(), seed.status(),
        report_every.status(), threads.status()}) {
    if (!s.ok()) return Fail("retrain", s);
  }
  if (args->has("epochs") && args->has("iterations")) {
    return Fail("retrain", InvalidArgument("give --epochs or --iterations, not both"));
  }
  o.epochs = *epochs;
  o.iterations = *iterations;
  o.batch_size = *batch;
  o.learning_rate = static_cast<float>(*lr);
  o.l2 = static_cast<float>(*l2);
  o.momentum = static_cast<float>(*momentum);
  o.lr_decay = static_cast<float>(*decay);
  o.early_stopping_patience = *patience;
  o.weight_scale = static_cast<float>(*weight_scale);
  o.seed = static_cast<uint64_t>(*seed);
  o.report_every = *report_every;
  std::filesystem::path out = args->get_or("out", "");
  if (out.empty()) {
    out = std::filesystem::path(*model_path);
    out.replace_filename(out.stem().string() + "_retrained.tflite");
  }
  std::filesystem::path labels_path = out;
  labels_path.replace_extension(".txt");

  auto extractor = Model::FromFile(*model_path);
  if (!extractor.ok()) return Fail("retrain", extractor.status());
  auto dataset = LoadDataset(*data_dir);
  if (!dataset.ok()) return Fail("retrain", dataset.status());
  auto pre = PreprocessingFromArgs(*args);
  if (!pre.ok()) return Fail("retrain", pre.status());
  // Embeddings come from the cache where the images and model are unchanged.
  auto cache = OpenCacheFromArgs(*args, *data_dir, *extractor, *pre);
  auto first = StratifiedSplit(dataset->samples, *test_ratio, o.seed);
  if (!first.ok()) return Fail("retrain", first.status());
  auto second = StratifiedSplit(first->train, *val_ratio, o.seed + 1);
  if (!second.ok()) return Fail("retrain", second.status());
  const InferenceOptions inference{*threads, *pre, cache ? &*cache : nullptr};
  int skipped = 0;
  auto train = Embed(*extractor, second->train, inference, "train", &skipped);
  if (!train.ok()) return Fail("retrain", train.status());
  auto val = Embed(*extractor, second->test, inference, "validation", &skipped);
  if (!val.ok()) return Fail("retrain", val.status());
  auto test = Embed(*extractor, first->test, inference, "test", &skipped);
  if (!test.ok()) return Fail("retrain", test.status());
  SaveCache(cache);
  const auto& [x_train, y_train] = *train;
  const auto& [x_val, y_val] = *val;
  const auto& [x_test, y_test] = *test;

  auto model =
      SoftmaxRegression::Create(x_train.cols, static_cast<int>(dataset->class_names.size()), o);
  if (!model.ok()) return Fail("retrain", model.status());
  const bool json = args->has("json");
  Progress progress("training", "it");
  auto result = model->Train(
      x_train, y_train, x_val, y_val,
      [&](const TrainingReport& r) {
        if (json) return;
        progress.Clear();
        std::printf("iteration %6d  lr %.4g  loss %.4f  train acc %.4f", r.iteration,
                    r.learning_rate, r.train_loss, r.train_accuracy);
        if (x_val.rows) std::printf("  val loss %.4f  val acc %.4f", r.val_loss, r.val_accuracy);
        std::printf("\n");
        std::fflush(stdout);
      },
      [&](int done, int total) { progress.Update(done, total); });
  progress.Clear();
  if (!result.ok()) return Fail("retrain", result.status());
  auto appended = model->AppendToExtractor(*extractor, x_train);
  if (!appended.ok()) return Fail("retrain", appended.status());
  if (Status s = appended->Save(out); !s.ok()) return Fail("retrain", s);
  std::map<int, std::string> labels;
  for (size_t c = 0; c < dataset->class_names.size(); ++c)
    labels[static_cast<int>(c)] = dataset->class_names[c];
  if (Status s = WriteLabels(labels_path, labels); !s.ok()) return Fail("retrain", s);
  if (auto csv = args->get("csv")) {
    if (Status s = WriteCurveCsv(*csv, result->curve); !s.ok()) return Fail("retrain", s);
  }
  if (auto plot = args->get("plot")) {
    if (Status s = WriteCurvePlot(*plot, result->curve, x_val.rows > 0); !s.ok())
      return Fail("retrain", s);
  }

  // The saved model's quantized predictions, through its appended layers
  // alone (bit-identical to the whole model given the extractor's output).
  auto head = model->HeadModel(*extractor, x_train);
  if (!head.ok()) return Fail("retrain", head.status());
  const Matrix& agreement_x = x_val.rows > 0 ? x_val : x_test;
  auto quant_test = QuantizedPredictions(*head, x_test);
  auto quant_agree = QuantizedPredictions(*head, agreement_x);
  auto float_agree = model->Predict(agreement_x);
  if (!quant_test.ok() || !quant_agree.ok() || !float_agree.ok()) {
    return Fail("retrain", !quant_test.ok()    ? quant_test.status()
                           : !quant_agree.ok() ? quant_agree.status()
                                               : float_agree.status());
  }
  const double test_acc = Fraction(*quant_test, y_test);
  const double val_acc = x_val.rows ? *model->Accuracy(x_val, y_val) : 0.0;
  const double agreement = Fraction(*quant_agree, *float_agree);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (json) {
    std::printf(
        "%s\n",
        JsonObject({{"model", JsonString(out.string())},
                    {"labels", JsonString(labels_path.string())},
                    {"test_accuracy", x_test.rows ? JsonNumber(test_acc) : "null"},
                    {"val_accuracy", x_val.rows ? JsonNumber(val_acc) : "null"},
                    {"float_quant_agreement", agreement_x.rows ? JsonNumber(agreement) : "null"},
                    {"train_images", std::to_string(x_train.rows)},
                    {"val_images", std::to_string(x_val.rows)},
                    {"test_images", std::to_string(x_test.rows)},
                    {"iterations", std::to_string(result->iterations)},
                    {"stopped_early", result->stopped_early ? "true" : "false"},
                    {"final_train_loss", JsonNumber(result->curve.back().train_loss)},
                    {"skipped", std::to_string(skipped)},
                    {"seconds", JsonNumber(seconds)}})
            .c_str());
    return 0;
  }
  std::printf("model:  %s (%zu classes)\nlabels: %s\n", out.c_str(), dataset->class_names.size(),
              labels_path.c_str());
  std::printf("images: %d train, %d validation, %d test (%d skipped)\n", x_train.rows, x_val.rows,
              x_test.rows, skipped);
  if (x_test.rows) std::printf("test accuracy of the saved quantized model: %.4f\n", test_acc);
  if (x_val.rows) std::printf("validation accuracy (float): %.4f\n", val_acc);
  if (agreement_x.rows) std::printf("float vs quantized agreement: %.4f\n", agreement);
  std::printf("done in %.1f s\n", seconds);
  return 0;
}

}  // namespace edgetl::cli
