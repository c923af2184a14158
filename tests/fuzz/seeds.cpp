// The target table and the helpers the seed makers share (fuzz_target.hpp).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz_target.hpp"

namespace hairpin::fuzz {

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"bgp_message", fuzz_bgp_message, seeds_bgp_message},
      {"frr_config", fuzz_frr_config, seeds_frr_config},
      {"topology", fuzz_topology, seeds_topology},
      {"scenario", fuzz_scenario, seeds_scenario},
      {"pcap", fuzz_pcap, seeds_pcap},
      {"reply_match", fuzz_reply_match, seeds_reply_match},
      {"netlink", fuzz_netlink, seeds_netlink},
      {"control_request", fuzz_control_request, seeds_control_request},
  };
  return all;
}

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

Bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) break;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

Bytes concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes text_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace hairpin::fuzz
