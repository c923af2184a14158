// fuzz_write_seeds DIR: writes every target's seed inputs to DIR/<target>/ (made
// from fixtures/ and encoder output, fuzz_target.hpp); scripts/fuzz runs it before
// the targets, so the seed corpus always matches the fixtures.

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fuzz_target.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_write_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  for (const auto& t : hairpin::fuzz::targets()) {
    const std::string out = dir + "/" + t.name;
    std::filesystem::create_directories(out);
    const auto seeds = t.seeds(HAIRPIN_FIXTURES_DIR);
    if (seeds.empty()) {
      std::fprintf(stderr, "fuzz_write_seeds: no seeds for %s from %s; check that fixtures/ is complete\n", t.name,
                   HAIRPIN_FIXTURES_DIR);
      return 1;
    }
    for (const auto& s : seeds) {
      std::ofstream f(out + "/" + s.name, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(s.bytes.data()), static_cast<std::streamsize>(s.bytes.size()));
      if (!f) {
        std::fprintf(stderr, "fuzz_write_seeds: cannot write %s/%s; check the disk\n", out.c_str(), s.name.c_str());
        return 1;
      }
    }
    std::printf("%s: %zu seeds\n", t.name, seeds.size());
  }
  return 0;
}
