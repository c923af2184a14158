#include "hairpin/verifier/evidence/evidence.hpp"

#include <algorithm>

namespace hairpin::verifier {

Provenance Provenance::not_gathered(std::string command, std::string runner, std::string reason) {
  Provenance p;
  p.command = std::move(command);
  p.runner = std::move(runner);
  p.status = Status::NotGathered;
  p.reason = std::move(reason);
  return p;
}

bool BgpRoute::has_as(std::uint32_t asn) const {
  return std::find(as_path.begin(), as_path.end(), asn) != as_path.end();
}

std::string BgpRoute::as_path_text() const {
  std::string out;
  for (auto asn : as_path) out += (out.empty() ? "" : " ") + std::to_string(asn);
  return out;
}

const PeerState* BgpSummary::find_peer(Ipv4Address address) const {
  for (const auto& p : peers)
    if (p.address == address) return &p;
  return nullptr;
}

PeerState* BgpSummary::find_peer(Ipv4Address address) {
  for (auto& p : peers)
    if (p.address == address) return &p;
  return nullptr;
}

std::optional<int> Trace::ttl_of(Ipv4Address address) const {
  for (const auto& h : hops) {
    if (h.responder == address) return h.ttl;
    if (std::find(h.other_responders.begin(), h.other_responders.end(), address) != h.other_responders.end())
      return h.ttl;
  }
  return std::nullopt;
}

const TraceHop* Trace::final_hop() const {
  if (!final_ttl) return nullptr;
  for (const auto& h : hops)
    if (h.ttl == *final_ttl) return &h;
  return nullptr;
}

const DirectionEvidence* Evidence::find_direction(std::string_view from, std::string_view to) const {
  for (const auto& d : directions)
    if (d.from == from && d.to == to) return &d;
  return nullptr;
}

}  // namespace hairpin::verifier
