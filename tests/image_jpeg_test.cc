// JPEG decoding: the shared photos, DCT-domain downscaling, EXIF orientation,
// and damaged inputs.
#include <fstream>

#include <gtest/gtest.h>

#include "edgetl/image.h"
#include "image/decode_jpeg.h"
#include "testing/temp_dir.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

using testing::DataPath;
using testing::ReadBytes;

void Write(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST(Jpeg, DecodesSharedPhotosAtFullSize) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat_720p.jpg"));
  auto img = LoadImage(DataPath("images/cat_720p.jpg"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->width, 1280);
  EXPECT_EQ(img->height, 720);
  auto gray = LoadImage(DataPath("images/parrot.jpg"), 1);
  ASSERT_TRUE(gray.ok());
  EXPECT_EQ(gray->channels, 1);
  EXPECT_EQ(gray->pixels.size(), size_t(gray->width) * gray->height);
}

TEST(Jpeg, DctScalingDecodesNoLargerThanNeeded) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat_720p.jpg"));
  // 1280x720 for a 224x224 input: 1/4 would give 320x180 (too short), so 3/8.
  auto img = LoadImage(DataPath("images/cat_720p.jpg"), 3, 224, 224);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->width, 480);
  EXPECT_EQ(img->height, 270);
  // Never below the target.
  auto small = LoadImage(DataPath("images/cat_720p.jpg"), 3, 1000, 700);
  EXPECT_EQ(small->width, 1280);
}

// A JPEG with an EXIF APP1 segment saying "rotate 90 degrees clockwise"
// decodes as the plain JPEG rotated.
TEST(Jpeg, ExifOrientationIsApplied) {
  EDGETL_REQUIRE_DATA(DataPath("images/parrot.jpg"));
  const auto plain = ReadBytes(DataPath("images/parrot.jpg"));
  const std::vector<uint8_t> exif = {
      0xFF, 0xE1, 0x00, 0x22, 'E',  'x',  'i',  'f',  0,
      0,    'I',  'I',  0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,  // TIFF, IFD0 at 8
      0x01, 0x00,                                            // one entry
      0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};  // no next IFD
  std::vector<uint8_t> rotated(plain.begin(), plain.begin() + 2);
  rotated.insert(rotated.end(), exif.begin(), exif.end());
  rotated.insert(rotated.end(), plain.begin() + 2, plain.end());
  EXPECT_EQ(JpegExifOrientation(rotated), 6);
  testing::TempDir tmp;
  Write(tmp / "rotated.jpg", rotated);
  auto a = LoadImage(DataPath("images/parrot.jpg"));
  auto b = LoadImage(tmp / "rotated.jpg");
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
  ASSERT_EQ(b->width, a->height);
  ASSERT_EQ(b->height, a->width);
  // Rotated 90 CW: output (x, y) comes from input (y, H - 1 - x).
  for (int y : {0, 7, b->height - 1}) {
    for (int x : {0, 5, b->width - 1}) {
      for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(b->pixels[(size_t(y) * b->width + x) * 3 + c],
                  a->pixels[(size_t(a->height - 1 - x) * a->width + y) * 3 + c]);
      }
    }
  }
  // And every other orientation lands on the right size.
  for (int o = 1; o <= 8; ++o) {
    const Image r = ApplyOrientation(*a, o);
    EXPECT_EQ(r.width, o >= 5 ? a->height : a->width) << o;
  }
}

// Damaged EXIF blocks read no byte outside the segment and fall back to
// orientation 1: offsets near 2^32 (which wrapped a 32-bit bound check),
// entry counts past the end, and every byte of a valid block set to 0x00
// or 0xFF in turn (ASan checks the reads).
TEST(Jpeg, DamagedExifReadsOnlyItsSegment) {
  const std::vector<uint8_t> good = {
      0xFF, 0xD8,  // SOI
      0xFF, 0xE1, 0x00, 0x22, 'E',  'x',  'i',  'f',  0,
      0,    'I',  'I',  0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,  // TIFF, IFD0 at 8
      0x01, 0x00,                                            // one entry
      0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06,  // orientation 6
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  ASSERT_EQ(JpegExifOrientation(good), 6);
  for (const uint32_t ifd : {0xFFFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFF0u, 27u, 26u}) {
    std::vector<uint8_t> bad = good;
    for (int i = 0; i < 4; ++i) bad[16 + i] = static_cast<uint8_t>(ifd >> (8 * i));
    EXPECT_EQ(JpegExifOrientation(bad), 1) << "IFD offset " << ifd;
  }
  std::vector<uint8_t> many = good;
  many[20] = many[21] = 0xFF;  // 65535 entries, one present
  EXPECT_EQ(JpegExifOrientation(many), 6);
  many[22] = 0x13;  // and not the orientation tag
  EXPECT_EQ(JpegExifOrientation(many), 1);
  for (size_t at = 0; at < good.size(); ++at) {
    for (const uint8_t value : {uint8_t{0}, uint8_t{0xFF}}) {
      std::vector<uint8_t> damaged = good;
      damaged[at] = value;
      // Exactly sized: any read past the segment is past the buffer.
      const int orientation = JpegExifOrientation(damaged);
      EXPECT_TRUE(orientation >= 1 && orientation <= 8) << at;
    }
  }
}

TEST(Jpeg, DamagedInputsAreErrorsNamingTheFile) {
  EDGETL_REQUIRE_DATA(DataPath("images/parrot.jpg"));
  testing::TempDir tmp;
  auto bytes = ReadBytes(DataPath("images/parrot.jpg"));
  Write(tmp / "truncated.jpg",
        std::vector<uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2));
  auto r = LoadImage(tmp / "truncated.jpg");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("truncated.jpg"), std::string::npos) << r.status().ToString();
  // A header claiming 50000x50000 pixels: refused before allocating.
  std::vector<uint8_t> huge = bytes;
  // Walk the segments to the frame header (SOF0..SOF2) and patch its size.
  bool patched = false;
  for (size_t i = 2; i + 9 < huge.size() && huge[i] == 0xFF && !patched;
       i += 2 + (size_t(huge[i + 2]) << 8 | huge[i + 3])) {
    if (huge[i + 1] >= 0xC0 && huge[i + 1] <= 0xC2) {
      huge[i + 5] = 0xC3;  // height 50000
      huge[i + 6] = 0x50;
      huge[i + 7] = 0xC3;  // width 50000
      huge[i + 8] = 0x50;
      patched = true;
    }
  }
  ASSERT_TRUE(patched);
  Write(tmp / "huge.jpg", huge);
  r = LoadImage(tmp / "huge.jpg");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than edgetl decodes"), std::string::npos)
      << r.status().ToString();
  Write(tmp / "empty.jpg", {});
  EXPECT_FALSE(LoadImage(tmp / "empty.jpg").ok());
  Write(tmp / "zero.bmp", {'B', 'M', 0, 0});
  EXPECT_FALSE(LoadImage(tmp / "zero.bmp").ok());
}

}  // namespace
}  // namespace edgetl
