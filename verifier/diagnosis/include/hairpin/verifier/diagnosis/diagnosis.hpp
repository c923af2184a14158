#pragma once
// The diagnosis catalog: from the pattern of all check results (and the
// evidence behind them) to the most likely cause, the facts that point to it
// and the next command to run. Pure.
//
// In:  the final round's CheckResults, its Evidence, the Scenario.
// Out: Diagnoses, most likely first; every failed or not-run check is explained
//      by exactly one (listed in `explains`). Failed checks no entry explains
//      get one Unknown diagnosis that says so instead of guessing.
// Who: `hairpin verify` (text, JSON, JUnit failure messages), negative controls
//      (the expected cause per lab fault).

#include <string>
#include <string_view>
#include <vector>

#include "hairpin/verifier/checks/checks.hpp"
#include "hairpin/verifier/evidence/evidence.hpp"
#include "hairpin/verifier/model/scenario.hpp"

namespace hairpin::verifier {

enum class Cause {
  NvaDown,                   // the NVA's BGP daemon does not answer and nothing reaches it
  LoTrap,                    // the NVA holds a `local` route for the supernet / answers for far addresses
  RouteServerSessionDown,    // some, not all, route-server sessions down (which one in `subject`)
  AllRouteServerSessionsDown,
  SupernetNotOriginated,     // not in the NVA's BGP table at all
  SupernetFilteredByPolicy,  // in the table, not advertised (outbound policy)
  As65515Leak,               // a route with 65515 in its AS path advertised to ARS
  RouteLimitExceeded,        // more routes towards ARS than its limit (or its margin)
  AdvertisementsDiffer,      // the route servers are sent different routes
  SitePrefixNotLearned,      // a site prefix missing at the NVA with the sessions up
  NextHopUnresolved,         // a learned site prefix whose next hop the NVA cannot resolve
  UdrMissing,                // neither direction reaches the NVA: no UDR on the GatewaySubnet
  UdrOneSiteOnly,            // one direction reaches the NVA, the other not: UDR for one site only
  NvaNotForwarding,          // probes enter the NVA and do not leave
  ReturnPathBypassesNva,     // probes cross the NVA, the answers do not come back through it
  TargetNotAnswering,        // probes cross the NVA, the opposite direction works: the far host is silent
  Bypass,                    // the far site answers without the NVA on the path (transit elsewhere)
  NvaStateUnreadable,        // the NVA's state could not be read, yet traffic passes: BGP checks not run
  Unknown,
};
std::string_view to_string(Cause cause);  // stable ids: "nva-down", "lo-trap", "route-server-session-down", ...

struct Diagnosis {
  Cause cause = Cause::Unknown;
  std::string subject;                  // e.g. the route server "10.0.210.4", the site whose UDR is missing
  std::string summary;                  // one line: "route server 10.0.210.4 session down"
  std::vector<std::string> evidence;    // the facts that point to it
  std::string next_command;             // what to run next, runnable as written for this scenario
  std::vector<std::string> explains;    // CheckResult::key() of the checks it accounts for
  bool traffic_passes = false;          // the hairpin still works despite it (ars0-down)

  std::string id() const { return std::string(to_string(cause)); }
};

std::vector<Diagnosis> diagnose(const std::vector<CheckResult>& checks, const Evidence& evidence,
                                const Scenario& scenario);

// The diagnosis that explains a check, if any (JUnit failure messages).
const Diagnosis* diagnosis_for(const std::vector<Diagnosis>& diagnoses, const CheckResult& check);

}  // namespace hairpin::verifier
