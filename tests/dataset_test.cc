// Image-folder datasets and Coral's split.
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "edgetl/dataset.h"
#include "testing/temp_dir.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void Touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(Dataset, ClassesAndFilesAreSorted) {
  TempDir dir;
  Touch(dir / "zebra/b.jpg");
  Touch(dir / "zebra/a.PNG");
  Touch(dir / "ant/1.bmp");
  Touch(dir / "ant/notes.txt");  // not an image
  auto ds = ListImageFolder(dir.path());
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"ant", "zebra"}));
  ASSERT_EQ(ds->samples.size(), 3u);
  EXPECT_EQ(ds->samples[1].path.filename(), "a.PNG");
  EXPECT_EQ(ds->samples[1].label, 1);
}

TEST(Dataset, EmptyClassAndMissingFolderAreErrors) {
  TempDir dir;
  Touch(dir / "ok/1.jpg");
  fs::create_directories(dir / "empty");
  auto ds = ListImageFolder(dir.path());
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.status().message().find("class 'empty' has no images"), std::string::npos);
  EXPECT_EQ(ListImageFolder(dir / "nope").status().code(), StatusCode::kNotFound);
  TempDir flat;
  Touch(flat / "x.jpg");
  EXPECT_NE(ListImageFolder(flat.path()).status().message().find("no class folders"),
            std::string::npos);
}

TEST(Dataset, CoralSplitTakesFirstFilesPerClass) {
  Dataset ds;
  ds.class_names = {"a", "b"};
  for (int i = 0; i < 80; ++i) ds.samples.push_back({"a/" + std::to_string(100 + i), 0});
  for (int i = 0; i < 3; ++i) ds.samples.push_back({"b/" + std::to_string(i), 1});
  auto split = CoralSplit(ds, 0.25);
  ASSERT_TRUE(split.ok());
  // a: int(0.25 * 80) = 20 test; b: max(1, int(0.75)) = 1 test.
  EXPECT_EQ(split->test.size(), 21u);
  EXPECT_EQ(split->train.size(), 62u);
  EXPECT_EQ(split->test[0].path, "a/100");
  EXPECT_EQ(split->test[19].path, "a/119");
  EXPECT_EQ(split->test[20].path, "b/0");
  // Deterministic, and ratio 0 trains on everything.
  EXPECT_EQ(CoralSplit(ds, 0.25)->test[7].path, split->test[7].path);
  EXPECT_EQ(CoralSplit(ds, 0)->train.size(), 83u);
  EXPECT_FALSE(CoralSplit(ds, 1.0).ok());
}

TEST(Dataset, OxfordSplitMatchesCoralsCsv) {
  const auto root = testing::DataPath("datasets/oxford17_flowers");
  EDGETL_REQUIRE_DATA(root / "coral_split.csv");
  auto ds = ListImageFolder(root / "images");
  ASSERT_TRUE(ds.ok());
  auto split = CoralSplit(*ds, 0.25);
  ASSERT_TRUE(split.ok());
  std::set<std::string> test;
  std::ifstream csv(root / "coral_split.csv");
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    if (line.ends_with(",test")) test.insert(line.substr(0, line.find(',')));
  }
  ASSERT_EQ(test.size(), split->test.size());
  for (const Sample& s : split->test) {
    EXPECT_TRUE(test.count(fs::relative(s.path, root).string())) << s.path;
  }
  EXPECT_EQ(split->train.size(), 1020u);
}

}  // namespace
}  // namespace edgetl
