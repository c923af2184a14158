#pragma once
// The checks of `hairpin verify`: pure functions over Evidence and a Scenario.
//
// In:  one round of Evidence, the Scenario.
// Out: one CheckResult per check and subject (a route server, a site, a
//      direction), in a fixed order: BGP first, then forwarding.
// Who: `hairpin verify` after each gathering round (until all pass or the
//      converge timeout), the diagnosis, the reports.
//
// A check that needs evidence which could not be gathered is NotRun with that
// reason, never Pass. Each result lists the facts it used, in words a person
// can compare with the tool's output.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hairpin/verifier/evidence/evidence.hpp"
#include "hairpin/verifier/model/scenario.hpp"

namespace hairpin::verifier {

enum class Verdict { Pass, Fail, NotRun };
std::string_view to_string(Verdict verdict);  // "pass", "fail", "not-run"

// Check ids: stable, used in JSON, JUnit and the diagnosis catalog.
namespace check_id {
inline constexpr std::string_view SessionEstablished = "bgp.session-established";   // per route server
inline constexpr std::string_view SupernetAdvertised = "bgp.supernet-advertised";   // per route server
inline constexpr std::string_view SameRoutesToAll = "bgp.same-routes-to-all";
inline constexpr std::string_view SitePrefixLearned = "bgp.site-prefix-learned";    // per site
inline constexpr std::string_view No65515Advertised = "bgp.no-65515-advertised";
inline constexpr std::string_view RouteCountUnderLimit = "bgp.route-count-under-limit";  // per route server
inline constexpr std::string_view NextHopResolved = "bgp.next-hop-resolved";        // per site
inline constexpr std::string_view ReachesViaNva = "path.reaches-via-nva";           // per direction
inline constexpr std::string_view CaptureCrossesNva = "capture.crosses-nva";        // per direction
inline constexpr std::string_view OnlyTargetAnswers = "path.only-target-answers";   // per direction
}  // namespace check_id

struct CheckResult {
  std::string id;                      // a check_id
  std::string subject;                 // "10.0.210.4", "vm-hub100", "vm-hub100 -> vm-hub200", "" for the whole
  std::string title;                   // what passing proves, one line
  Verdict verdict = Verdict::NotRun;
  std::string detail;                  // why this verdict, one line (NotRun: the reason)
  std::vector<std::string> evidence;   // the facts used, each with where it came from
  std::optional<double> passed_after_ms;  // first round it passed, since verify started (convergence)

  // "bgp.session-established 10.0.210.4": unique within one run.
  std::string key() const { return subject.empty() ? id : id + " " + subject; }
  bool passed() const { return verdict == Verdict::Pass; }
  bool failed() const { return verdict == Verdict::Fail; }
};

// Each check on its own (for tests and for the catalog's references).
std::vector<CheckResult> check_sessions_established(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_supernet_advertised(const Evidence& e, const Scenario& s);
CheckResult check_same_routes_to_all(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_site_prefixes_learned(const Evidence& e, const Scenario& s);
CheckResult check_no_65515_advertised(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_route_count_under_limit(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_next_hops_resolved(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_reaches_via_nva(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_capture_crosses_nva(const Evidence& e, const Scenario& s);
std::vector<CheckResult> check_only_target_answers(const Evidence& e, const Scenario& s);

// All of the above, in that order.
std::vector<CheckResult> run_checks(const Evidence& evidence, const Scenario& scenario);

// Convergence across rounds: carries each check's first pass forward. `previous`
// is the last round's results (with passed_after_ms), `current` this round's,
// `elapsed_ms` since verify started. A check keeps the time it first passed even
// if it passes again later; a check failing now loses it (it had not converged).
std::vector<CheckResult> carry_convergence(const std::vector<CheckResult>& previous,
                                           std::vector<CheckResult> current, double elapsed_ms);

// True when no check fails and none waits on evidence that a retry could bring
// (i.e. every check passed): verify stops retrying.
bool all_passed(const std::vector<CheckResult>& results);

}  // namespace hairpin::verifier
