#pragma once
// Test helper: byte fixtures by name from fixtures/probes/*.hex ("name hex" lines).

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace hairpin::probes::test {

inline std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::map<std::string, std::vector<std::uint8_t>> load_hex_fixtures(const std::string& file) {
  std::ifstream in(std::string(HAIRPIN_FIXTURES_DIR) + "/probes/" + file);
  if (!in) throw std::runtime_error("missing fixture " + file);
  std::map<std::string, std::vector<std::uint8_t>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string name, hex;
    words >> name >> hex;
    out[name] = from_hex(hex);
  }
  return out;
}

}  // namespace hairpin::probes::test
