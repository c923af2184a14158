#include "paths.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace hairpin::cli;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFile = "fixtures/configs/nva-fixed.frr";

// A scratch tree: PREFIX/bin/hairpin with PREFIX/share/hairpin, a build dir
// with its binary, a source tree, and a directory named by HAIRPIN_DATA_DIR.
struct Tree {
  fs::path root = fs::temp_directory_path() / ("hairpin-paths-" + std::to_string(::getpid()));
  fs::path prefix = root / "prefix";
  fs::path source = root / "src";
  fs::path build = root / "src/build";
  fs::path env = root / "env";
  Tree() { fs::remove_all(root); }
  ~Tree() { fs::remove_all(root); }
  void put(const fs::path& dir) {
    fs::create_directories((dir / kFile).parent_path());
    std::ofstream(dir / kFile) << "router bgp 65001\n";
  }
  DataLookup installed() const {
    return {std::nullopt, (prefix / "bin/hairpin").string(), "../share/hairpin", build.string(), source.string()};
  }
  DataLookup in_build() const {
    return {std::nullopt, (build / "cli/hairpin").string(), "../share/hairpin", build.string(), source.string()};
  }
};

}  // namespace

TEST(DataLookup, Installed_FindsShareBesideTheExecutable_NotTheSourceTree) {
  Tree t;
  t.put(t.prefix / "share/hairpin");
  t.put(t.source);
  auto found = find_data_file(kFile, t.installed());
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(*found, (t.prefix / "share/hairpin" / kFile).string());
  EXPECT_EQ(data_dir_candidates(t.installed()), std::vector<std::string>{(t.prefix / "share/hairpin").string()});
}

TEST(DataLookup, InTheBuildTree_FallsBackToTheSourceTree) {
  Tree t;
  t.put(t.source);
  auto found = find_data_file(kFile, t.in_build());
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(*found, (t.source / kFile).string());
}

TEST(DataLookup, EnvOverride_WinsAndIsTheOnlyPlaceLooked) {
  Tree t;
  t.put(t.prefix / "share/hairpin");
  t.put(t.env);
  auto l = t.installed();
  l.env_dir = t.env.string();
  auto found = find_data_file(kFile, l);
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(*found, (t.env / kFile).string());
  // Set but empty of data: an error, not a quiet fall back to the installed copy.
  l.env_dir = (t.root / "nowhere").string();
  auto missing = find_data_file(kFile, l);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().fix.find("HAIRPIN_DATA_DIR"), std::string::npos);
}

TEST(DataLookup, Missing_IsOneLineNamingEveryPlaceLooked) {
  Tree t;
  auto missing = find_data_file(kFile, t.in_build());
  ASSERT_FALSE(missing.ok());
  const auto line = missing.error().to_string();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find((t.build / "share/hairpin" / kFile).lexically_normal().string()), std::string::npos) << line;
  EXPECT_NE(line.find((t.source / kFile).string()), std::string::npos) << line;
  EXPECT_NE(line.find("cmake --install"), std::string::npos) << line;
}
