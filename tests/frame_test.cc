// Camera frames: every pixel format, with padded strides, converted back to
// the RGB image they were made from.
#include <cmath>

#include <gtest/gtest.h>

#include "edgetl/image.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

struct Yuv {
  uint8_t y, u, v;
};

// BT.601 full range, the inverse of what FrameToImage decodes.
Yuv ToYuv(const uint8_t* p) {
  const float r = p[0], g = p[1], b = p[2];
  auto q = [](float v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
  return {q(0.299f * r + 0.587f * g + 0.114f * b),
          q(-0.168736f * r - 0.331264f * g + 0.5f * b + 128),
          q(0.5f * r - 0.418688f * g - 0.081312f * b + 128)};
}

// The shared cat photo, 2x2-block constant so that 4:2:0 chroma loses nothing.
Image BlockyCat() {
  auto cat = LoadImage(testing::DataPath("images/cat.bmp"));
  EXPECT_TRUE(cat.ok());
  Image img{256, 170, 3, std::vector<uint8_t>(256 * 170 * 3)};
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* src = cat->pixels.data() + ((y / 2 * 2) * cat->width + x / 2 * 2) * 3;
      std::copy(src, src + 3, img.pixels.data() + (y * img.width + x) * 3);
    }
  }
  return img;
}

std::vector<uint8_t> Encode(const Image& img, PixelFormat format, int stride) {
  const int w = img.width, h = img.height;
  std::vector<uint8_t> buf(static_cast<size_t>(stride) * h * 2, 0xAB);  // padding bytes are garbage
  auto px = [&](int x, int y) { return img.pixels.data() + (y * w + x) * 3; };
  for (int y = 0; y < h; ++y) {
    uint8_t* row = buf.data() + static_cast<size_t>(stride) * y;
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = px(x, y);
      const Yuv c = ToYuv(p);
      switch (format) {
        case PixelFormat::kRGB888:
          std::copy(p, p + 3, row + 3 * x);
          break;
        case PixelFormat::kBGR888:
          row[3 * x] = p[2];
          row[3 * x + 1] = p[1];
          row[3 * x + 2] = p[0];
          break;
        case PixelFormat::kRGBA8888:
          std::copy(p, p + 3, row + 4 * x);
          row[4 * x + 3] = 77;
          break;
        case PixelFormat::kYUYV:
          row[2 * x] = c.y;
          row[2 * x + 1] = x % 2 ? c.v : c.u;
          break;
        default: {  // planar 4:2:0: luma here, chroma once per 2x2 block
          row[x] = c.y;
          if (x % 2 || y % 2) break;
          uint8_t* chroma = buf.data() + static_cast<size_t>(stride) * h;
          if (format == PixelFormat::kI420) {
            const int cs = stride / 2;
            chroma[cs * (y / 2) + x / 2] = c.u;
            chroma[cs * (h / 2) + cs * (y / 2) + x / 2] = c.v;
          } else {
            uint8_t* uv = chroma + static_cast<size_t>(stride) * (y / 2) + x;
            uv[0] = format == PixelFormat::kNV12 ? c.u : c.v;
            uv[1] = format == PixelFormat::kNV12 ? c.v : c.u;
          }
        }
      }
    }
  }
  return buf;
}

TEST(Frames, EveryFormatConvertsBackWithinTwoLevels) {
  EDGETL_REQUIRE_DATA(testing::DataPath("images/cat.bmp"));
  const Image img = BlockyCat();
  const struct {
    PixelFormat format;
    int bytes_per_pixel;
    int max_error;
  } cases[] = {{PixelFormat::kRGB888, 3, 0},   {PixelFormat::kBGR888, 3, 0},
               {PixelFormat::kRGBA8888, 4, 0}, {PixelFormat::kYUYV, 2, 2},
               {PixelFormat::kNV12, 1, 2},     {PixelFormat::kNV21, 1, 2},
               {PixelFormat::kI420, 1, 2}};
  for (const auto& c : cases) {
    const int stride = img.width * c.bytes_per_pixel + 32;
    const auto buf = Encode(img, c.format, stride);
    auto back = FrameToImage({c.format, img.width, img.height, stride, buf});
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    int worst = 0;
    for (size_t i = 0; i < img.pixels.size(); ++i) {
      worst = std::max(worst, std::abs(int(back->pixels[i]) - int(img.pixels[i])));
    }
    EXPECT_LE(worst, c.max_error) << "format " << static_cast<int>(c.format);
  }
}

// FrameInto converts only the pixels the resize reads, yet must give the
// bytes of the two-step path, for every format and resize mode.
TEST(Frames, FrameIntoMatchesConvertThenResize) {
  EDGETL_REQUIRE_DATA(testing::DataPath("images/cat.bmp"));
  const Image img = BlockyCat();
  TensorInfo info;
  info.type = TensorType::kInt8;
  info.shape = {1, 96, 128, 3};
  std::vector<uint8_t> direct(info.num_bytes()), two_step(info.num_bytes());
  for (PixelFormat format :
       {PixelFormat::kRGB888, PixelFormat::kBGR888, PixelFormat::kRGBA8888, PixelFormat::kYUYV,
        PixelFormat::kNV12, PixelFormat::kNV21, PixelFormat::kI420}) {
    const int bpp = format == PixelFormat::kRGBA8888                                   ? 4
                    : format == PixelFormat::kRGB888 || format == PixelFormat::kBGR888 ? 3
                    : format == PixelFormat::kYUYV                                     ? 2
                                                                                       : 1;
    const int stride = img.width * bpp + 16;
    const auto buf = Encode(img, format, stride);
    const Frame frame{format, img.width, img.height, stride, buf};
    for (ResizeMode mode :
         {ResizeMode::kStretch, ResizeMode::kCenterCrop, ResizeMode::kLetterbox}) {
      const Preprocessing pre{.resize = mode, .fill = 9};
      ASSERT_TRUE(FrameInto(frame, {&info, direct}, pre).ok());
      auto image = FrameToImage(frame);
      ASSERT_TRUE(image.ok());
      ASSERT_TRUE(ResizeBilinearInto(*image, {&info, two_step}, pre).ok());
      EXPECT_EQ(direct, two_step) << "format " << static_cast<int>(format) << " mode "
                                  << static_cast<int>(mode);
    }
  }
  TensorInfo gray = info;
  gray.shape = {1, 96, 128, 1};
  std::vector<uint8_t> g(gray.num_bytes());
  const auto rgb = Encode(img, PixelFormat::kRGB888, img.width * 3);
  EXPECT_EQ(FrameInto({PixelFormat::kRGB888, img.width, img.height, 0, rgb}, {&gray, g}).code(),
            StatusCode::kInvalidArgument);
}

TEST(Frames, BadLayoutsAreErrors) {
  std::vector<uint8_t> buf(100);
  EXPECT_EQ(FrameToImage({PixelFormat::kNV12, 5, 4, 0, buf}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FrameToImage({PixelFormat::kRGB888, 10, 10, 0, buf}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FrameToImage({PixelFormat::kRGB888, 4, 4, 5, buf}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FrameToImage({PixelFormat::kRGB888, 0, 4, 0, buf}).status().code(),
            StatusCode::kInvalidArgument);
  const auto s = FrameToImage({PixelFormat::kI420, 10, 10, 0, buf}).status();
  EXPECT_NE(s.message().find("the layout needs 150"), std::string::npos) << s.ToString();
  EXPECT_TRUE(FrameToImage({PixelFormat::kI420, 8, 8, 0, buf}).ok());
  TensorInfo info;
  info.type = TensorType::kUInt8;
  info.shape = {1, 4, 4, 3};
  std::vector<uint8_t> out(info.num_bytes());
  EXPECT_NE(FrameInto({PixelFormat::kI420, 10, 10, 0, buf}, {&info, out})
                .message()
                .find("the layout needs 150"),
            std::string::npos);
}

}  // namespace
}  // namespace edgetl
