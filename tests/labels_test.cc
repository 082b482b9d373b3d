// Label files: both forms ReadLabels accepts, WriteLabels round trips, and
// the inputs each refuses.
#include <gtest/gtest.h>

#include "edgetl/file_io.h"
#include "edgetl/labels.h"
#include "testing/temp_dir.h"

namespace edgetl {
namespace {

using Labels = std::map<int, std::string>;

Result<Labels> ReadText(const testing::TempDir& dir, const std::string& text) {
  const auto path = dir / "labels.txt";
  EXPECT_TRUE(WriteFileAtomic(path, std::string_view(text)).ok());
  return ReadLabels(path);
}

TEST(Labels, LineNumbersOrIdsAsCoralWrites) {
  testing::TempDir dir;
  auto plain = ReadText(dir, "background\ncat\r\n\ndog\n\n");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, (Labels{{0, "background"}, {1, "cat"}, {2, ""}, {3, "dog"}}));
  auto numbered = ReadText(dir, "0  background\n5 red fox\n\n7\tdog\n");
  ASSERT_TRUE(numbered.ok()) << numbered.status().ToString();
  EXPECT_EQ(*numbered, (Labels{{0, "background"}, {5, "red fox"}, {7, "dog"}}));
  // One line without an id makes every line a plain label.
  auto mixed = ReadText(dir, "0 zero\nnot numbered\n");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(*mixed, (Labels{{0, "0 zero"}, {1, "not numbered"}}));
}

TEST(Labels, RepeatedAndOversizedIdsAreErrors) {
  testing::TempDir dir;
  auto twice = ReadText(dir, "1 a\n1 b\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(twice.status().message().find("appears twice"), std::string::npos);
  auto huge = ReadText(dir, "0 a\n99999999999 b\n");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("line 2: class id 99999999999 is too large"),
            std::string::npos)
      << huge.status().ToString();
  EXPECT_EQ(ReadLabels(dir / "missing.txt").status().code(), StatusCode::kNotFound);
}

TEST(Labels, WriteRoundTripsAndRefusesWhatWouldNotReadBack) {
  testing::TempDir dir;
  const Labels labels = {{0, "background"}, {3, "red fox"}, {12, "tab\tinside"}};
  ASSERT_TRUE(WriteLabels(dir / "out.txt", labels).ok());
  auto back = ReadLabels(dir / "out.txt");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, labels);
  for (const Labels& bad : {Labels{{0, "two\nlines"}}, Labels{{0, "cr\r"}}, Labels{{-1, "x"}}}) {
    const Status s = WriteLabels(dir / "out.txt", bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  }
  // The refused writes left the file as it was.
  back = ReadLabels(dir / "out.txt");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, labels);
}

}  // namespace
}  // namespace edgetl
