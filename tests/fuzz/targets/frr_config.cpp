// fuzz_frr_config: the FRR-config parser and printer (bgpd/config config.hpp).
//
// Input: config text.
// Invariants:
//  - parse_frr_config returns a result, never throws;
//  - what parses prints to text that parses again (print_frr_config's promise), and
//    printing that second parse gives the same text: the normalised form is a
//    fixed point;
//  - the reparse warns about nothing the first parse did not warn about (a printed
//    config has no unknown lines); warnings of a named kind match by kind, as their
//    text quotes the user's spelling.

#include <algorithm>

#include "fuzz_target.hpp"
#include "hairpin/bgpd/config/config.hpp"

namespace hairpin::fuzz {

Finding fuzz_frr_config(std::span<const std::uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const auto parsed = bgpd::parse_frr_config(text, "fuzz.conf");
  if (!parsed) {
    HAIRPIN_FUZZ_CHECK(!parsed.error().what.empty(), "an error without a message");
    return {};
  }
  const std::string printed = bgpd::print_frr_config(parsed->config);
  const auto reparsed = bgpd::parse_frr_config(printed, "printed.conf");
  HAIRPIN_FUZZ_CHECK(reparsed.ok(), "the printed config does not parse: " +
                                        (reparsed.ok() ? std::string() : reparsed.error().to_string()) + "\n" + printed);
  const std::string printed_again = bgpd::print_frr_config(reparsed->config);
  HAIRPIN_FUZZ_CHECK(printed_again == printed, "printing is not a fixed point:\n" + printed + "---\n" + printed_again);
  for (const auto& w : reparsed->warnings) {
    // A warning of a named kind may quote the user's spelling ("/00" printed as "/0").
    const bool warned_before = std::any_of(parsed->warnings.begin(), parsed->warnings.end(), [&](const bgpd::ConfigWarning& v) {
      return v.message == w.message || (w.kind != bgpd::ConfigWarning::Kind::Other && v.kind == w.kind);
    });
    HAIRPIN_FUZZ_CHECK(warned_before, "the printed config warns anew: " + w.message + "\n" + printed);
  }
  return {};
}

std::vector<Seed> seeds_frr_config(const std::string& fixtures) {
  std::vector<Seed> out;
  for (const char* f : {"configs/nva-fixed.frr", "configs/nva-seed-peer-group.frr", "configs/nva-seed.frr",
                        "bgp/nva-seed-peer-group.normalised.frr", "bgp/nva-seed.normalised.frr"}) {
    auto bytes = read_bytes(fixtures + "/" + f);
    std::string name = f;
    std::replace(name.begin(), name.end(), '/', '-');
    if (!bytes.empty()) out.push_back({name, std::move(bytes)});
  }
  return out;
}

}  // namespace hairpin::fuzz
