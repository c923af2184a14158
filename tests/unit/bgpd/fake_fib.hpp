#pragma once
// FakeFib: the Fib contract (bgpd/fib/fib.hpp) in memory, for the daemon's unit
// tests.
//
// In:  the daemon's set/remove/flush/sweep_stale/withdraw_all calls; the test's
//      script: which next hops resolve (set_resolves fires next_hops_changed, as
//      the kernel watcher does), which prefixes the "kernel" refuses, which routes
//      an earlier run left behind (leave_stale).
// Out: every call recorded (calls, in order, as short strings), what is
//      "installed" after the last flush, held routes with reasons, counters;
//      on_close sees the final state when the daemon closes its FIB on stop
//      (the kernel keeps what was installed).
// Resolution is what the daemon sees through resolves(): a route whose next hops
//      all fail is held (Unresolved) and installed once one resolves.

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hairpin/bgpd/fib/fib.hpp"

namespace hairpin::bgpd::test {

class FakeFib : public Fib {
 public:
  using Key = std::pair<Ipv4Prefix, FibSource>;

  explicit FakeFib(FibEvents events) : events_(std::move(events)) {}
  // The daemon closes its FIB on stop; the test reads what it left behind here.
  ~FakeFib() override {
    if (on_close) on_close(*this);
  }
  std::function<void(const FakeFib&)> on_close;

  // ---- the test's script ----
  // Changes what resolves() answers and tells the daemon, as the kernel watcher does.
  void set_resolves(Ipv4Address next_hop, bool resolves) {
    if (resolves) resolvable_.insert(next_hop);
    else resolvable_.erase(next_hop);
    reinstall();
    if (events_.next_hops_changed) events_.next_hops_changed({next_hop});
  }
  void resolve_everything(bool on) { resolve_all_ = on; }
  // The "kernel" answers requests for `prefix` with this error.
  void refuse(const Ipv4Prefix& prefix, std::string kernel_error) { refused_[prefix] = std::move(kernel_error); }
  // A route of ours an earlier run left in the kernel.
  void leave_stale(const FibRoute& route) {
    stale_.insert({route.prefix, route.source});
    installed_[{route.prefix, route.source}] = route;
    ++counters_.stale_at_start;
  }

  // ---- what the daemon did ----
  std::vector<std::string> calls;  // "set 10.0.0.0/8 network", "remove ...", "flush", "sweep", "withdraw_all"
  std::size_t count(const std::string& call) const {
    return static_cast<std::size_t>(std::count(calls.begin(), calls.end(), call));
  }
  bool installed(const Ipv4Prefix& prefix, FibSource source) const { return installed_.count({prefix, source}) > 0; }
  const FibRoute* installed_route(const Ipv4Prefix& prefix, FibSource source) const {
    auto it = installed_.find({prefix, source});
    return it == installed_.end() ? nullptr : &it->second;
  }
  std::size_t installed_count() const { return installed_.size(); }
  void log(const std::string& line) {
    if (events_.log) events_.log(line);
  }

  // ---- Fib ----
  void set(const FibRoute& route) override {
    calls.push_back("set " + route.prefix.to_string() + " " + to_string(route.source));
    queued_[{route.prefix, route.source}] = route;
  }
  void remove(const Ipv4Prefix& prefix, FibSource source) override {
    calls.push_back("remove " + prefix.to_string() + " " + to_string(source));
    queued_[{prefix, source}] = std::nullopt;
  }
  void flush() override {
    calls.push_back("flush");
    for (auto& [key, route] : queued_) {
      stale_.erase(key);
      if (route) wanted_[key] = *route;
      else wanted_.erase(key), installed_.erase(key), held_.erase(key);
    }
    queued_.clear();
    reinstall();
  }
  bool resolves(Ipv4Address next_hop) override { return resolve_all_ || resolvable_.count(next_hop) > 0; }
  std::size_t sweep_stale() override {
    calls.push_back("sweep");
    std::size_t n = 0;
    for (const auto& key : stale_) n += installed_.erase(key);
    stale_.clear();
    counters_.swept += n;
    return n;
  }
  void withdraw_all() override {
    calls.push_back("withdraw_all");
    installed_.clear();
    held_.clear();
    wanted_.clear();
  }
  FibCounters counters() const override {
    FibCounters c = counters_;
    c.installed = installed_.size();
    c.held = held_.size();
    return c;
  }
  std::vector<FibHeldRoute> held_routes() const override {
    std::vector<FibHeldRoute> out;
    for (const auto& [key, h] : held_) out.push_back(h);
    return out;
  }

 private:
  // Wanted routes -> installed or held, as the real FIB decides it.
  void reinstall() {
    for (const auto& [key, route] : wanted_) {
      if (auto r = refused_.find(route.prefix); r != refused_.end()) {
        if (!held_.count(key)) {
          ++counters_.refused;
          log("fib: " + route.prefix.to_string() + " refused: kernel: " + r->second);
        }
        held_[key] = {route.prefix, route.source, FibHoldReason::KernelRefused, "kernel: " + r->second};
        installed_.erase(key);
        continue;
      }
      const bool any = route.kind == FibRouteKind::Blackhole || route.next_hops.empty() ||
                       std::any_of(route.next_hops.begin(), route.next_hops.end(),
                                   [&](Ipv4Address nh) { return resolves(nh); });
      if (any) {
        installed_[key] = route;
        held_.erase(key);
      } else {
        held_[key] = {route.prefix, route.source, FibHoldReason::Unresolved,
                      "next hop " + route.next_hops.front().to_string() + " unresolved"};
        installed_.erase(key);
      }
    }
  }

  FibEvents events_;
  bool resolve_all_ = false;
  std::set<Ipv4Address> resolvable_;
  std::map<Ipv4Prefix, std::string> refused_;
  std::map<Key, std::optional<FibRoute>> queued_;
  std::map<Key, FibRoute> wanted_, installed_;
  std::map<Key, FibHeldRoute> held_;
  std::set<Key> stale_;
  FibCounters counters_;
};

}  // namespace hairpin::bgpd::test
