// The edgetl command-line tool, run as a user would.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "testing/cli_runner.h"
#include "testing/temp_dir.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

namespace fs = std::filesystem;
using testing::DataPath;
using testing::ReadBytes;
using testing::RunCli;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// `edgetl run` reproduces TensorFlow Lite's reference outputs byte for byte
// for every model and input in shared/reference.
TEST(Cli, RunMatchesEveryReferenceOutput) {
  const fs::path ref = DataPath("reference");
  EDGETL_REQUIRE_DATA(ref);
  // A directory of its own: test processes may run side by side.
  const testing::TempDir tmp;
  const fs::path out = tmp / "run.bin";
  int compared = 0;
  for (const auto& model_dir : fs::directory_iterator(ref)) {
    if (!model_dir.is_directory()) continue;
    const std::string model =
        DataPath("models/" + model_dir.path().filename().string() + ".tflite");
    for (const auto& input : fs::directory_iterator(model_dir.path() / "inputs")) {
      const fs::path expected = model_dir.path() / "outputs" / input.path().filename();
      if (!fs::exists(expected)) continue;
      const auto r = RunCli("run --model " + model + " --input " + input.path().string() +
                            " --output " + out.string());
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(ReadBytes(out), ReadBytes(expected)) << model << " " << input.path().filename();
      ++compared;
    }
  }
  EXPECT_GE(compared, 15);
}

TEST(Cli, RunRejectsWrongInputSize) {
  const auto model = DataPath("models/mobilenet_v1_0.25_128_quant.tflite");
  EDGETL_REQUIRE_DATA(model);
  const auto r =
      RunCli("run --model " + model.string() + " --input " + DataPath("images/cat.bmp").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "49152 bytes, but")) << r.err;
}

TEST(Cli, ClassifyJsonOnePerImage) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat.bmp"));
  const auto r =
      RunCli("classify --json --top-k 2 --model " +
             DataPath("models/mobilenet_v1_0.5_160_quant.tflite").string() + " --labels " +
             DataPath("models/imagenet_labels.txt").string() + " " +
             DataPath("images/cat.bmp").string() + " " + DataPath("images/cat.bmp").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
  EXPECT_TRUE(Contains(r.out, "{\"image\":\"")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"top\":[{\"id\":286,\"label\":\"Egyptian cat\",\"score\":0."))
      << r.out;
}

TEST(Cli, ClassifyReportsUnreadableImageAndGoesOn) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat.bmp"));
  const auto r =
      RunCli("classify --model " + DataPath("models/mobilenet_v1_0.25_128_quant.tflite").string() +
             " /nonexistent.jpg " + DataPath("images/cat.bmp").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "no such image: /nonexistent.jpg")) << r.err;
  EXPECT_TRUE(Contains(r.out, "283")) << r.out;
}

TEST(Cli, EmbedPrintsTheExtractorOutput) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat.bmp"));
  const auto r =
      RunCli("embed --json --model " +
             DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite").string() +
             " " + DataPath("images/cat.bmp").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), ','), 1024);  // image + 1024 values
}

TEST(Cli, InspectDescribesModels) {
  EDGETL_REQUIRE_DATA(DataPath("models"));
  auto r =
      RunCli("inspect --json " +
             DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "\"kind\":\"embedding-extractor\"")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"shape\":[1,1,1,1024]")) << r.out;
  r = RunCli(
      "inspect " +
      DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor_edgetpu.tflite").string());
  EXPECT_TRUE(Contains(r.out, "kind: edgetpu-compiled")) << r.out;
  r = RunCli("inspect " + DataPath("models/person_detect/person_detect.tflite").string());
  EXPECT_TRUE(Contains(r.out, "warning: tensor")) << r.out;
}

TEST(Cli, ErrorsAndUsage) {
  auto r = RunCli("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "unknown command 'frobnicate'"));
  r = RunCli("classify --model");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--model needs a value")) << r.err;
  // Numbers: whole, within int, finite (checked before any model is read).
  r = RunCli("bench --model m.tflite --runs 99999999999");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--runs is out of range, got '99999999999'")) << r.err;
  r = RunCli("bench --model m.tflite --runs 3x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--runs must be an integer, got '3x'")) << r.err;
  for (const std::string value : {"nan", "inf", "1e999"}) {
    r = RunCli("retrain --model m.tflite --data d --learning-rate " + value);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(Contains(r.err, "--learning-rate must be a finite number")) << r.err;
  }
  r = RunCli("inspect /nonexistent.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "no such file: /nonexistent.tflite")) << r.err;
  const auto edgetpu =
      DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor_edgetpu.tflite");
  if (fs::exists(edgetpu)) {
    r = RunCli("embed --model " + edgetpu.string() + " " + DataPath("images/cat.bmp").string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(Contains(r.err, "compiled for the Edge TPU")) << r.err;
  }
}

}  // namespace
}  // namespace edgetl

namespace edgetl {
namespace {

// The shared imprinting photos as one folder per class.
void MakeImprintingDataset(const std::filesystem::path& dir) {
  for (const std::string c : {"cat", "dog", "hotdog"}) {
    std::filesystem::create_directories(dir / c);
    for (const auto& e :
         std::filesystem::directory_iterator(testing::DataPath("images/imprinting"))) {
      if (e.path().filename().string().rfind(c + "_", 0) == 0) {
        std::filesystem::create_symlink(std::filesystem::absolute(e.path()),
                                        dir / c / e.path().filename());
      }
    }
  }
}

TEST(CliImprint, TrainsSavesAndEvaluates) {
  EDGETL_REQUIRE_DATA(testing::DataPath("images/imprinting"));
  testing::TempDir tmp;
  MakeImprintingDataset(tmp / "data");
  const std::string model =
      testing::DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  auto r = RunCli("imprint --json --model " + model + " --data " + (tmp / "data").string() +
                  " --out " + (tmp / "pets.tflite").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "\"top_k_accuracy\":[1,1,1,1,1]")) << r.out;
  EXPECT_TRUE(Contains(r.out, "{\"id\":2,\"label\":\"hotdog\",\"train\":2,\"test\":1}")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"model\":\"" + (tmp / "pets.tflite").string() + "\"")) << r.out;
  EXPECT_TRUE(std::filesystem::exists(tmp / "pets.txt"));
  // --keep-classes: a second run adds to the same classes (counts grow).
  r = RunCli("imprint --json --keep-classes --test-ratio 0 --model " +
             (tmp / "pets.tflite").string() + " --data " + (tmp / "data").string() + " --out " +
             (tmp / "pets2.tflite").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "\"num_classes\":3")) << r.out;
  r = RunCli("inspect " + (tmp / "pets2.tflite").string());
  EXPECT_TRUE(Contains(r.out, "kind: imprinting-ready")) << r.out;
}

TEST(CliEmbed, WritesADatasetCsvThroughTheCache) {
  EDGETL_REQUIRE_DATA(testing::DataPath("images/imprinting"));
  testing::TempDir tmp;
  MakeImprintingDataset(tmp / "data");
  std::ofstream(tmp / "data/cat/broken.jpg") << "not a jpeg";
  const std::string model =
      testing::DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  const std::string args = "embed --model " + model + " --data " + (tmp / "data").string() +
                           " --cache " + (tmp / "cache.bin").string() + " --out ";
  auto r = RunCli(args + (tmp / "a.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "warning: skipping " + (tmp / "data/cat/broken.jpg").string()))
      << r.err;
  EXPECT_TRUE(Contains(r.out, "7 embeddings of 1024 values, 3 classes")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1 image(s) skipped")) << r.out;
  EXPECT_TRUE(Contains(r.err, "embedding cache: 0 of 8 images")) << r.err;
  const auto first = ReadBytes(tmp / "a.csv");
  const std::string csv(first.begin(), first.end());
  EXPECT_EQ(csv.rfind("image,class_id,class,v0,v1,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 8);
  EXPECT_TRUE(Contains(csv, "/data/dog/dog_test_0.bmp,1,dog,")) << csv.substr(0, 300);
  // Again: the seven readable images come from the cache, with the same bytes.
  r = RunCli(args + (tmp / "b.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "embedding cache: 7 of 8 images")) << r.err;
  EXPECT_EQ(ReadBytes(tmp / "b.csv"), first);
  // A damaged cache is reported and rebuilt.
  std::ofstream(tmp / "cache.bin") << "garbage";
  r = RunCli(args + (tmp / "c.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "not used (not an edgetl embedding cache); rebuilding")) << r.err;
  EXPECT_EQ(ReadBytes(tmp / "c.csv"), first);
  // Usage errors.
  r = RunCli("embed --model " + model + " --data " + (tmp / "data").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "--out")) << r.err;
  r = RunCli("classify --resize squash --model " + model + " x.jpg");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "unknown resize mode 'squash'")) << r.err;
}

TEST(CliBench, JsonHasTheLatencyAndMemoryFields) {
  const std::string model = testing::DataPath("models/mobilenet_v1_0.25_128_quant.tflite");
  EDGETL_REQUIRE_DATA(model);
  auto r = RunCli("bench --json --runs 5 --threads 2 --model " + model);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* field :
       {"\"median_ms\":", "\"p90_ms\":", "\"images_per_s\":", "\"gmacs\":", "\"peak_rss_mb\":",
        "\"create_ms\":", "\"threads\":2", "\"kernels\":\""}) {
    EXPECT_TRUE(Contains(r.out, field)) << field << " in " << r.out;
  }
  r = RunCli("bench --runs 0 --model " + model);
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliImprint, ReportsBadInput) {
  testing::TempDir tmp;
  std::filesystem::create_directories(tmp / "data/empty");
  const std::string model =
      testing::DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  auto r = RunCli("imprint --model " + model + " --data " + (tmp / "data").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "class 'empty' has no images")) << r.err;
  r = RunCli("imprint --model " + model + " --data " + (tmp / "data").string() +
             " --test-ratio 1.5");
  EXPECT_NE(r.exit_code, 0);
  EDGETL_REQUIRE_DATA(model);
  r = RunCli("make-imprintable --model " + model + " --embedding-tensor nope --out " +
             (tmp / "x.tflite").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "no tensor named 'nope'")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "x.tflite"));
}

}  // namespace
}  // namespace edgetl

namespace edgetl {
namespace {

TEST(CliRetrain, TrainsAppendsAndReports) {
  EDGETL_REQUIRE_DATA(testing::DataPath("images/imprinting"));
  testing::TempDir tmp;
  MakeImprintingDataset(tmp / "data");
  const std::string model =
      testing::DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  auto r =
      RunCli("retrain --json --iterations 100 --test-ratio 0.34 --val-ratio 0 --seed 3 --model " +
             model + " --data " + (tmp / "data").string() + " --out " +
             (tmp / "bp.tflite").string() + " --plot " + (tmp / "curve.png").string() + " --csv " +
             (tmp / "curve.csv").string() + " --cache " + (tmp / "cache.bin").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "embedding cache: 0 of 7 images")) << r.err;
  EXPECT_TRUE(Contains(r.out, "\"test_accuracy\":1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"float_quant_agreement\":1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"val_accuracy\":null")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"model\":\"" + (tmp / "bp.tflite").string() + "\"")) << r.out;
  EXPECT_GT(std::filesystem::file_size(tmp / "curve.png"), 1000u);
  EXPECT_TRUE(std::filesystem::exists(tmp / "curve.csv"));
  // The saved model classifies the held-out photos correctly.
  r = RunCli("classify --top-k 1 --model " + (tmp / "bp.tflite").string() + " " +
             (tmp / "data/dog/dog_test_0.bmp").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "dog_test_0.bmp\n      1  0.")) << r.out;
  // Re-running the training reads every embedding from the cache.
  r = RunCli("retrain --json --iterations 100 --test-ratio 0.34 --val-ratio 0 --seed 3 --model " +
             model + " --data " + (tmp / "data").string() + " --out " +
             (tmp / "bp2.tflite").string() + " --cache " + (tmp / "cache.bin").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "embedding cache: 7 of 7 images")) << r.err;
  EXPECT_EQ(ReadBytes(tmp / "bp2.tflite"), ReadBytes(tmp / "bp.tflite"));
  r = RunCli("retrain --model " + model + " --data " + (tmp / "data").string() +
             " --epochs 2 --iterations 5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "not both")) << r.err;
}

}  // namespace
}  // namespace edgetl
