// Image decoding and the half-pixel bilinear resize into input tensors.
#include <gtest/gtest.h>

#include "edgetl/image.h"
#include "testing/temp_dir.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

using testing::DataPath;
using testing::ReadBytes;

TensorView View(TensorInfo& info, std::vector<uint8_t>& storage) {
  storage.assign(info.num_bytes(), 0);
  return TensorView{&info, storage};
}

TEST(ResizeBilinear, HandComputedHalfPixelValues) {
  // 2x2 gray image upsampled to 4x4. Source positions: (i + 0.5) / 2 - 0.5
  // = -0.25, 0.25, 0.75, 1.25 -> rows/cols clamp at the borders.
  Image img{2, 2, 1, {0, 100, 200, 50}};
  TensorInfo info;
  info.type = TensorType::kUInt8;
  info.shape = {1, 4, 4, 1};
  std::vector<uint8_t> storage;
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, storage)).ok());
  // Row 0 (sy=-0.25 -> y0=y1=0): x at -0.25: 0; 0.25: 25; 0.75: 75; 1.25: 100
  // Row 1 (sy=0.25) mixes row 0 (0, 25, 75, 100) and row 1 (200, 162.5,
  // 87.5, 50) 3:1 -> 50, 59.375, 78.125, 87.5; row 2 mixes them 1:3; row 3
  // (sy=1.25) is row 1. Truncation, not rounding, gives the bytes.
  const std::vector<uint8_t> expected = {0,   25,  75, 100, 50,  59,  78, 87,
                                         150, 128, 84, 62,  200, 162, 87, 50};
  EXPECT_EQ(storage, expected);
}

// A 4x2 gray image (two halves) into 2x2: center-crop takes the middle 2x2
// window, letterbox fits 2x1 between two filled rows, stretch halves x.
TEST(ResizeBilinear, ResizeModesHandComputed) {
  Image img{4, 2, 1, {10, 20, 30, 40, 50, 60, 70, 80}};
  TensorInfo info;
  info.type = TensorType::kUInt8;
  info.shape = {1, 2, 2, 1};
  std::vector<uint8_t> out;
  // Stretch: sx = (x + 0.5) * 2 - 0.5 = 0.5, 2.5; sy = y exactly.
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, out)).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{15, 35, 55, 75}));
  // Center-crop: columns 1..2, 1:1 -> the pixels themselves.
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, out), {.resize = ResizeMode::kCenterCrop}).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{20, 30, 60, 70}));
  // Letterbox: 4x2 fits as 2x1 at row (2-1)/2 = 0; sy = (0.5) * 2 - 0.5 =
  // 0.5 mixes both rows, sx = 0.5, 2.5 as for stretch. Row 1 is fill.
  ASSERT_TRUE(
      ResizeBilinearInto(img, View(info, out), {.resize = ResizeMode::kLetterbox, .fill = 7}).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{35, 55, 7, 7}));
  // Tall 1x2 source into a 4x2 output: it fits unscaled at column
  // (4-1)/2 = 1, bands left and right.
  Image tall{1, 2, 1, {100, 200}};
  info.shape = {1, 2, 4, 1};
  ASSERT_TRUE(
      ResizeBilinearInto(tall, View(info, out), {.resize = ResizeMode::kLetterbox, .fill = 0})
          .ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 100, 0, 0, 0, 200, 0, 0}));
  ASSERT_TRUE(ResizeBilinearInto(tall, View(info, out), {.resize = ResizeMode::kCenterCrop}).ok());
  // Crop height round(1 * 2 / 4) = 1 (rounded half up) from row (2-1)/2 = 0.
  EXPECT_EQ(out, (std::vector<uint8_t>{100, 100, 100, 100, 100, 100, 100, 100}));
}

TEST(ResizeBilinear, ParseResizeMode) {
  EXPECT_EQ(*ParseResizeMode("center-crop"), ResizeMode::kCenterCrop);
  EXPECT_EQ(*ParseResizeMode("letterbox"), ResizeMode::kLetterbox);
  EXPECT_EQ(*ParseResizeMode("stretch"), ResizeMode::kStretch);
  const Status s = ParseResizeMode("crop").status();
  EXPECT_NE(s.message().find("unknown resize mode 'crop'"), std::string::npos);
}

TEST(ResizeBilinear, FloatInputsUseMeanStdOrQuantization) {
  Image img{1, 1, 1, {200}};
  TensorInfo info;
  info.type = TensorType::kFloat32;
  info.shape = {1, 1, 1, 1};
  std::vector<uint8_t> out;
  auto value = [&] { return *reinterpret_cast<float*>(out.data()); };
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, out), {.mean = 100, .std_dev = 50}).ok());
  EXPECT_FLOAT_EQ(value(), 2.0f);
  info.quant.scale = {1 / 255.0f};
  info.quant.zero_point = {0};
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, out)).ok());
  EXPECT_FLOAT_EQ(value(), 200 / 255.0f);
}

TEST(ResizeBilinear, Int8AndFloatInputsAreShifted) {
  Image img{1, 1, 1, {200}};
  TensorInfo info;
  info.type = TensorType::kInt8;
  info.shape = {1, 1, 1, 1};
  std::vector<uint8_t> storage;
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, storage)).ok());
  EXPECT_EQ(static_cast<int8_t>(storage[0]), 72);
  info.type = TensorType::kFloat32;
  ASSERT_TRUE(ResizeBilinearInto(img, View(info, storage)).ok());
  EXPECT_FLOAT_EQ(*reinterpret_cast<float*>(storage.data()), (200 - 127.5f) / 127.5f);
}

TEST(ResizeBilinear, RejectsChannelMismatch) {
  Image img{2, 2, 3, std::vector<uint8_t>(12)};
  TensorInfo info;
  info.type = TensorType::kUInt8;
  info.shape = {1, 4, 4, 1};
  std::vector<uint8_t> storage;
  const Status s = ResizeBilinearInto(img, View(info, storage));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("does not take a 3-channel image"), std::string::npos);
}

// The reference inputs were made from the same BMPs by a float bilinear
// resize whose exact evaluation order is unknown: where all four source
// pixels are equal (208) it yields 207, so no summation order over these
// pixels reproduces it bit for bit. Ours must agree within one level
// everywhere and exactly on nearly every byte.
TEST(ResizeBilinear, AgreesWithReferenceInputsWithinOneLevel) {
  struct Case {
    const char* image;
    const char* model;
    int size;
  };
  for (const Case& c : {Case{"cat", "mobilenet_v1_1.0_224_quant_embedding_extractor", 224},
                        Case{"grace_hopper", "mobilenet_v1_0.5_160_quant", 160},
                        Case{"cat", "mobilenet_v1_0.25_128_quant", 128}}) {
    const auto expected_path =
        DataPath(std::string("reference/") + c.model + "/inputs/" + c.image + ".bin");
    EDGETL_REQUIRE_DATA(expected_path);
    auto img = LoadImage(DataPath(std::string("images/") + c.image + ".bmp"));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    TensorInfo info;
    info.type = TensorType::kUInt8;
    info.shape = {1, c.size, c.size, 3};
    std::vector<uint8_t> storage;
    ASSERT_TRUE(ResizeBilinearInto(*img, View(info, storage)).ok());
    const auto expected = ReadBytes(expected_path);
    ASSERT_EQ(storage.size(), expected.size());
    size_t differing = 0;
    for (size_t i = 0; i < storage.size(); ++i) {
      ASSERT_LE(std::abs(int(storage[i]) - int(expected[i])), 1) << c.image << " byte " << i;
      differing += storage[i] != expected[i];
    }
    EXPECT_LT(differing, storage.size() / 100) << c.image << " -> " << c.size;
  }
}

TEST(LoadImage, ErrorsNameTheFile) {
  auto missing = LoadImage("/nonexistent/x.bmp");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const testing::TempDir tmp;
  const auto not_image = tmp / "not_image.jpg";
  FILE* f = std::fopen(not_image.c_str(), "wb");
  std::fputs("this is text", f);
  std::fclose(f);
  auto bad = LoadImage(not_image);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(not_image.string()), std::string::npos);
}

}  // namespace
}  // namespace edgetl
