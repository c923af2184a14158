#pragma once
// FakeFib: the Fib contract in memory, for unit tests of the daemon (no
// netlink, no root). It keeps the contract's observable rules: nothing changes
// before flush(), the last change of a prefix queued before flush() wins, a
// route whose next hops do not resolve is held (Unresolved), stale routes stay
// until sweep_stale().
//
// In:  the daemon's calls; from the test, which next hops resolve
//      (set_resolvable, which reports the change as the kernel would) and what
//      an earlier run left (add_stale).
// Out: installed() (what the "kernel" holds), counters, held routes.

#include <map>
#include <optional>
#include <set>
#include <utility>

#include "hairpin/bgpd/fib/fib.hpp"

namespace hairpin::bgpd {

class FakeFib final : public Fib {
 public:
  explicit FakeFib(FibEvents events = {}) : events_(std::move(events)) {}

  using Key = std::pair<Ipv4Prefix, FibSource>;

  void set(const FibRoute& route) override { queued_[{route.prefix, route.source}] = route; }
  void remove(const Ipv4Prefix& prefix, FibSource source) override { queued_[{prefix, source}] = std::nullopt; }

  void flush() override {
    if (queued_.empty()) return;
    ++counters_.batches;
    for (auto& [key, route] : queued_) {
      ++counters_.requests;
      if (route) wanted_[key] = *route;
      else wanted_.erase(key);
      stale_.erase(key);
    }
    queued_.clear();
    apply();
  }

  bool resolves(Ipv4Address next_hop) override { return resolvable_.count(next_hop) > 0; }

  std::size_t sweep_stale() override {
    flush();
    const std::size_t n = stale_.size();
    counters_.swept += n;
    stale_.clear();
    return n;
  }

  void withdraw_all() override {
    queued_.clear();
    wanted_.clear();
    stale_.clear();
    apply();
  }

  FibCounters counters() const override {
    FibCounters c = counters_;
    c.installed = installed_.size() + stale_.size();
    c.held = held_.size();
    return c;
  }

  std::vector<FibHeldRoute> held_routes() const override {
    std::vector<FibHeldRoute> out;
    for (const auto& [key, detail] : held_)
      out.push_back(FibHeldRoute{key.first, key.second, FibHoldReason::Unresolved, detail});
    return out;
  }

  // ---- for tests ----
  // A next hop starts or stops resolving; routes follow and the daemon is told.
  void set_resolvable(Ipv4Address next_hop, bool resolvable) {
    const bool before = resolves(next_hop);
    if (resolvable) resolvable_.insert(next_hop);
    else resolvable_.erase(next_hop);
    if (before == resolvable) return;
    apply();
    if (events_.next_hops_changed) events_.next_hops_changed({next_hop});
  }
  // A route an earlier run left in the kernel.
  void add_stale(const FibRoute& route) {
    stale_[{route.prefix, route.source}] = route;
    ++counters_.stale_at_start;
  }
  // What is in the "kernel": installed routes, then stale ones not replaced.
  std::map<Key, FibRoute> installed() const {
    std::map<Key, FibRoute> all = stale_;
    for (const auto& [key, route] : installed_) all[key] = route;
    return all;
  }

 private:
  void apply() {
    installed_.clear();
    held_.clear();
    for (const auto& [key, route] : wanted_) {
      bool ok = route.kind == FibRouteKind::Blackhole || route.interface.has_value();
      for (Ipv4Address nh : route.next_hops) ok = ok || resolves(nh);
      if (ok) {
        installed_[key] = route;
      } else {
        std::string detail = route.next_hops.size() == 1 ? "next hop " : "next hops ";
        for (std::size_t i = 0; i < route.next_hops.size(); ++i)
          detail += (i ? ", " : "") + route.next_hops[i].to_string();
        held_[key] = route.next_hops.empty() ? "no next hop" : detail + " unresolved";
      }
    }
  }

  FibEvents events_;
  std::map<Key, std::optional<FibRoute>> queued_;
  std::map<Key, FibRoute> wanted_;
  std::map<Key, FibRoute> installed_;
  std::map<Key, FibRoute> stale_;
  std::map<Key, std::string> held_;
  std::set<Ipv4Address> resolvable_;
  FibCounters counters_;
};

}  // namespace hairpin::bgpd
