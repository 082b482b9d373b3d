// The embedding cache through RunOnImages: hits, stale entries, damaged files,
// another model.
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "edgetl/dataset.h"
#include "edgetl/embedding_cache.h"
#include "model/model_builder.h"
#include "testing/op_test_util.h"
#include "testing/temp_dir.h"

namespace edgetl {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// An 8x8 RGB image model whose "embedding" is the mean color (uint8 average
// pool over the whole image); `name` names its output tensor.
Model MeanColorModel(const std::string& name = "mean") {
  ModelBuilder b;
  const Quantization q{{1.0f}, {0}};
  const int in = b.AddTensor("image", TensorType::kUInt8, {1, 8, 8, 3}, q);
  const int out = b.AddTensor(name, TensorType::kUInt8, {1, 1, 1, 3}, q);
  b.AddOperator(fb::BuiltinOperator::AVERAGE_POOL_2D, {in}, {out},
                testing::PoolOptions(fb::Padding::VALID, 8, 8));
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = b.Build();
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return *model;
}

void WriteSolid(const fs::path& path, int r, int g, int b) {
  fs::create_directories(path.parent_path());
  cv::Mat m(16, 16, CV_8UC3, cv::Scalar(b, g, r));  // OpenCV stores BGR
  ASSERT_TRUE(cv::imwrite(path.string(), m));
}

struct Fixture {
  TempDir dir;
  std::vector<fs::path> images;
  Fixture() {
    images = {dir / "data/red/a.png", dir / "data/red/b.png", dir / "data/blue/c.png"};
    WriteSolid(images[0], 200, 10, 10);
    WriteSolid(images[1], 180, 20, 0);
    WriteSolid(images[2], 0, 0, 250);
  }
  fs::path cache_path() const { return dir / "cache.bin"; }
};

// Runs the model with the cache at `path`, saves it, returns the cache.
EmbeddingCache RunCached(const Model& model, const Fixture& f,
                         std::vector<Result<std::vector<float>>>* out) {
  EmbeddingCache cache = EmbeddingCache::Open(f.cache_path(), model);
  auto results = RunOnImages(model, f.images, {1, {}, &cache});
  EXPECT_TRUE(results.ok()) << results.status().ToString();
  *out = std::move(*results);
  const Status saved = cache.Save();
  EXPECT_TRUE(saved.ok()) << saved.ToString();
  return cache;
}

TEST(EmbeddingCache, SecondRunIsServedFromTheCache) {
  Fixture f;
  const Model model = MeanColorModel();
  std::vector<Result<std::vector<float>>> first, second;
  const EmbeddingCache a = RunCached(model, f, &first);
  EXPECT_EQ(a.hits(), 0u);
  EXPECT_EQ(a.misses(), 3u);
  ASSERT_TRUE(first[0].ok());
  EXPECT_EQ(*first[0], (std::vector<float>{200, 10, 10}));
  const EmbeddingCache b = RunCached(model, f, &second);
  EXPECT_EQ(b.hits(), 3u);
  EXPECT_EQ(b.misses(), 0u);
  EXPECT_TRUE(b.discarded().empty());
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(*first[i], *second[i]);
}

TEST(EmbeddingCache, ChangedImagesAreRecomputed) {
  Fixture f;
  const Model model = MeanColorModel();
  std::vector<Result<std::vector<float>>> results;
  RunCached(model, f, &results);
  // Rewritten with other pixels: new size/mtime, so the entry is stale.
  WriteSolid(f.images[2], 0, 250, 0);
  fs::last_write_time(f.images[2], fs::last_write_time(f.images[2]) + std::chrono::seconds(5));
  const EmbeddingCache c = RunCached(model, f, &results);
  EXPECT_EQ(c.hits(), 2u);
  EXPECT_EQ(c.misses(), 1u);
  EXPECT_EQ(*results[2], (std::vector<float>{0, 250, 0}));
}

TEST(EmbeddingCache, DamagedOrForeignFilesAreRebuiltNotTrusted) {
  Fixture f;
  const Model model = MeanColorModel();
  std::vector<Result<std::vector<float>>> results;
  RunCached(model, f, &results);
  const auto good = fs::file_size(f.cache_path());

  // One flipped byte inside an embedding.
  {
    std::fstream file(f.cache_path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(good) - 12);
    file.put('\x7f');
  }
  EmbeddingCache damaged = EmbeddingCache::Open(f.cache_path(), model);
  EXPECT_NE(damaged.discarded().find("checksum"), std::string::npos) << damaged.discarded();
  EXPECT_EQ(damaged.size(), 0u);
  ASSERT_TRUE(damaged.Save().ok());  // replaced by a valid, empty cache
  EXPECT_TRUE(EmbeddingCache::Open(f.cache_path(), model).discarded().empty());

  // Truncated, and not a cache at all.
  RunCached(model, f, &results);
  fs::resize_file(f.cache_path(), good / 2);
  EXPECT_FALSE(EmbeddingCache::Open(f.cache_path(), model).discarded().empty());
  std::ofstream(f.cache_path()) << "hello";
  EXPECT_NE(EmbeddingCache::Open(f.cache_path(), model).discarded().find("not an edgetl"),
            std::string::npos);

  // Made for another model (the same but for a tensor name: any byte of the
  // model counts) or other preprocessing.
  RunCached(model, f, &results);
  EXPECT_NE(EmbeddingCache::Open(f.cache_path(), MeanColorModel("other"))
                .discarded()
                .find("another model"),
            std::string::npos);
  EXPECT_NE(EmbeddingCache::Open(f.cache_path(), model, {.resize = ResizeMode::kLetterbox})
                .discarded()
                .find("other preprocessing"),
            std::string::npos);
  const EmbeddingCache again = RunCached(MeanColorModel("other"), f, &results);
  EXPECT_EQ(again.hits(), 0u);
  EXPECT_EQ(again.misses(), 3u);
}

TEST(EmbeddingCache, FailedImagesAreNotCached) {
  Fixture f;
  std::ofstream(f.images[1]) << "not a png";
  const Model model = MeanColorModel();
  std::vector<Result<std::vector<float>>> results;
  const EmbeddingCache a = RunCached(model, f, &results);
  EXPECT_FALSE(results[1].ok());
  EXPECT_EQ(a.size(), 2u);
}

TEST(EmbeddingCache, DefaultPathIsPerDataset) {
  const fs::path a = EmbeddingCache::DefaultPath("/data/flowers");
  EXPECT_EQ(a.parent_path().filename(), "edgetl");
  EXPECT_EQ(a.extension(), ".embcache");
  EXPECT_EQ(a.filename().string().rfind("flowers-", 0), 0u);
  EXPECT_NE(a, EmbeddingCache::DefaultPath("/other/flowers"));
  EXPECT_EQ(a, EmbeddingCache::DefaultPath("/data/flowers/"));
}

}  // namespace
}  // namespace edgetl
