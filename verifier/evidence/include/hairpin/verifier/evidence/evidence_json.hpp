#pragma once
// Evidence <-> JSON: the --evidence DIR format and the recorded fixtures'
// (fixtures/evidence/*.json), schema "hairpin.evidence/1".
//
// In:  an Evidence value, or JSON text.
// Out: JSON (every field, stable names, addresses as dotted quads), or an
//      Evidence; a malformed document is one Error naming the JSON path.
// Who: verify's gatherers (write), the tests and `verify --evidence` replay (read).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hairpin/common/result.hpp"
#include "hairpin/verifier/evidence/evidence.hpp"

namespace hairpin::verifier {

inline constexpr std::string_view kEvidenceSchema = "hairpin.evidence/1";

nlohmann::json evidence_to_json(const Evidence& evidence);
nlohmann::json provenance_to_json(const Provenance& how);
// `source` names the document in errors ("fixtures/evidence/seed.json: $.nva.summary.value.peers[0].address: ...").
Result<Evidence> evidence_from_json(const nlohmann::json& document, const std::string& source);
Result<Evidence> parse_evidence(std::string_view text, const std::string& source);
Result<Evidence> load_evidence(const std::string& path);

}  // namespace hairpin::verifier
