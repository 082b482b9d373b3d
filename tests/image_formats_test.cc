// Every BMP and JPEG in the shared images decodes to the RGB pixels that an
// independent decoder (OpenCV's imread, BGR swapped to RGB) sees: BMPs
// exactly, JPEGs (libjpeg-turbo through TurboJPEG here) within 2 levels.
#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "edgetl/image.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

TEST(LoadImage, EveryBmpAndJpegInSharedImages) {
  const auto dir = testing::DataPath("images");
  EDGETL_REQUIRE_DATA(dir / "cat.bmp");
  int bmps = 0, jpegs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    const bool bmp = ext == ".bmp", jpeg = ext == ".jpg";
    if (!bmp && !jpeg) continue;
    (bmp ? bmps : jpegs)++;
    const std::string name = entry.path().filename().string();
    auto img = LoadImage(entry.path());
    ASSERT_TRUE(img.ok()) << name << ": " << img.status().ToString();
    const cv::Mat ref = cv::imread(entry.path().string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(ref.empty()) << name;
    ASSERT_EQ(img->channels, 3) << name;
    ASSERT_EQ(img->width, ref.cols) << name;
    ASSERT_EQ(img->height, ref.rows) << name;
    int worst = 0;
    for (int y = 0; y < ref.rows; ++y) {
      for (int x = 0; x < ref.cols; ++x) {
        const cv::Vec3b bgr = ref.at<cv::Vec3b>(y, x);
        const uint8_t* rgb = img->pixels.data() + (static_cast<size_t>(y) * img->width + x) * 3;
        for (int k = 0; k < 3; ++k) worst = std::max(worst, std::abs(rgb[k] - bgr[2 - k]));
      }
    }
    EXPECT_LE(worst, bmp ? 0 : 2) << name;
  }
  EXPECT_GE(bmps, 5);
  EXPECT_GE(jpegs, 3);
  // "6X4" is 6 rows of 4 pixels.
  auto tiny = LoadImage(dir / "rgb6X4.bmp");
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->width, 4);
  EXPECT_EQ(tiny->height, 6);
}

}  // namespace
}  // namespace edgetl
