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

TEST(DatasetList, ReadsCsvAndTabLinesRelativeToTheList) {
  TempDir dir;
  fs::create_directories(dir / "lists");
  std::ofstream(dir / "lists/train.csv") << "path,class\n"
                                            "# a comment\n"
                                            "../img/z.jpg,zebra\n"
                                            "\n"
                                            "/abs/a, b.jpg\tant\n"
                                            "../img/y.jpg , zebra\r\n";
  auto ds = ReadDatasetList(dir / "lists/train.csv");
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"ant", "zebra"}));
  ASSERT_EQ(ds->samples.size(), 3u);
  EXPECT_EQ(ds->samples[0].path, fs::path("/abs/a, b.jpg"));  // the last separator splits
  EXPECT_EQ(ds->samples[0].label, 0);
  EXPECT_EQ(ds->samples[1].path, (dir / "img/y.jpg").lexically_normal());  // sorted
  EXPECT_EQ(ds->samples[2].path, (dir / "img/z.jpg").lexically_normal());
  // LoadDataset picks the list reader for files and the folder reader for folders.
  EXPECT_EQ(LoadDataset(dir / "lists/train.csv")->samples.size(), 3u);
  EXPECT_EQ(LoadDataset(dir / "missing").status().code(), StatusCode::kNotFound);
}

TEST(DatasetList, MalformedListsNameTheLine) {
  TempDir dir;
  auto message = [&](const std::string& text) {
    std::ofstream(dir / "l.txt") << text;
    return ReadDatasetList(dir / "l.txt").status().message();
  };
  EXPECT_NE(message("a.jpg,x\nb.jpg\n").find("l.txt:2: expected 'image,class'"), std::string::npos);
  EXPECT_NE(message("a.jpg,x\n./a.jpg,y\n").find("l.txt:2: ./a.jpg is listed twice"),
            std::string::npos);
  EXPECT_NE(message("a.jpg,\n").find("l.txt:1: empty image or class"), std::string::npos);
  EXPECT_NE(message("# nothing\n").find("lists no images"), std::string::npos);
  EXPECT_NE(message("\"a.jpg,x\n").find("l.txt:1: expected"), std::string::npos);  // open quote
  EXPECT_NE(message("\"a\",b,c\n").find("l.txt:1: expected"), std::string::npos);

  std::ofstream(dir / "q.csv") << "\"x, \"\"y\"\".jpg\",\"birds, wild\"\n";
  auto quoted = ReadDatasetList(dir / "q.csv");
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_EQ(quoted->class_names, (std::vector<std::string>{"birds, wild"}));
  EXPECT_EQ(quoted->samples[0].path.filename(), "x, \"y\".jpg");
  EXPECT_EQ(ReadDatasetList(dir / "none.csv").status().code(), StatusCode::kNotFound);
}

TEST(Dataset, StratifiedSplitIsSeededAndStratified) {
  std::vector<Sample> samples;
  for (int i = 0; i < 50; ++i) samples.push_back({"a/" + std::to_string(i), 0});
  for (int i = 0; i < 10; ++i) samples.push_back({"b/" + std::to_string(i), 1});
  auto paths = [](const std::vector<Sample>& v) {
    std::vector<std::string> p;
    for (const auto& s : v) p.push_back(s.path.string());
    return p;
  };
  auto one = StratifiedSplit(samples, 0.2, 7), two = StratifiedSplit(samples, 0.2, 7),
       other = StratifiedSplit(samples, 0.2, 8);
  ASSERT_TRUE(one.ok() && two.ok() && other.ok());
  EXPECT_EQ(paths(one->test), paths(two->test));
  EXPECT_NE(paths(one->test), paths(other->test));
  ASSERT_EQ(one->test.size(), 12u);  // 10 of a, 2 of b
  EXPECT_EQ(std::count_if(one->test.begin(), one->test.end(),
                          [](const Sample& s) { return s.label == 1; }),
            2);
  EXPECT_EQ(one->train.size(), 48u);
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
