// `bgp as-path access-list` with FRR's regex dialect (bgpd/bgp_regex.c,
// bgpd/bgp_filter.c): POSIX extended regex over the AS path text, `_` expanded.

#include <regex.h>

#include "hairpin/bgpd/policy/policy.hpp"

namespace hairpin::bgpd {

const char* to_string(FilterAction action) {
  return action == FilterAction::Permit ? "permit" : "deny";
}

Result<BgpRegex> BgpRegex::compile(const std::string& pattern) {
  // FRR bgp_regcomp: every `_` becomes "(^|[,{}() ]|$)" (start, end, or a delimiter
  // of FRR's path text: space, set braces, confederation parentheses, comma).
  std::string expanded;
  for (char c : pattern) {
    if (c == '_') expanded += "(^|[,{}() ]|$)";
    else expanded += c;
  }
  auto* re = new regex_t;
  int rc = regcomp(re, expanded.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char message[256];
    regerror(rc, re, message, sizeof message);
    delete re;
    return Error{"invalid regular expression '" + pattern + "': " + message, "",
                 "use POSIX extended regex; '_' matches a space, '{', '}', '(', ')', ',' or either end"};
  }
  BgpRegex out;
  out.pattern_ = pattern;
  out.compiled_ = std::shared_ptr<const void>(re, [](const void* p) {
    auto* r = static_cast<regex_t*>(const_cast<void*>(p));
    regfree(r);
    delete r;
  });
  return out;
}

bool BgpRegex::matches(const std::string& text) const {
  if (!compiled_) return false;
  return regexec(static_cast<const regex_t*>(compiled_.get()), text.c_str(), 0, nullptr, 0) == 0;
}

FilterAction AsPathAccessList::evaluate(const AsPath& path) const {
  const std::string text = path.to_string();
  for (const auto& entry : entries)
    if (entry.regex.matches(text)) return entry.action;  // first match wins
  return FilterAction::Deny;  // FRR as_list_apply: no match denies
}

}  // namespace hairpin::bgpd
