// `bgp as-path access-list` with FRR's regex dialect (bgpd/bgp_regex.c,
// bgpd/bgp_filter.c): POSIX extended regex over the AS path text, `_` expanded.

#include <regex.h>

#include <algorithm>
#include <vector>

#include "hairpin/bgpd/policy/policy.hpp"

namespace hairpin::bgpd {

const char* to_string(FilterAction action) {
  return action == FilterAction::Permit ? "permit" : "deny";
}

namespace {

// glibc's regcomp copies the subexpression under every '+' and {m,n}
// (duplicate_tree), so a repetition of a repetition grows exponentially:
// "s+++...+" (33 '+') asked for gigabytes (found by tests/fuzz frr_config; FRR
// compiles with the same regcomp). This estimates the copies, atoms counted once,
// and refuses adjacent repetitions outright.
constexpr std::size_t kMaxRegexCopies = 100000;

std::size_t regex_copies(const std::string& p) {
  std::vector<std::size_t> open{0};  // sizes of the groups not closed yet
  std::size_t last = 0;              // size of the atom a repetition applies to
  auto atom = [&](std::size_t n) { last = n; open.back() += n; };
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') { ++i; atom(1); continue; }
    if (c == '[') {  // bracket expression: one atom; ']' first is literal
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') ++j;
      i = j;
      atom(1);
      continue;
    }
    if (c == '(') { open.push_back(0); last = 0; continue; }
    if (c == ')') {
      if (open.size() > 1) {
        const std::size_t inner = open.back();
        open.pop_back();
        atom(inner);
      }
      continue;
    }
    // POSIX ERE 9.4.6: adjacent duplication symbols are undefined, and glibc's
    // epsilon closures over "a****..." took over 10 s (found by tests/fuzz frr_config).
    if ((c == '*' || c == '+' || c == '?' || c == '{') && i > 0 &&
        (p[i - 1] == '*' || p[i - 1] == '+' || p[i - 1] == '?' || p[i - 1] == '}'))
      return kMaxRegexCopies + 1;
    if (c == '+' || c == '{') {
      std::size_t times = 2;
      if (c == '{') {
        std::size_t bound = 0, value = 0;
        bool open_ended = false;
        for (++i; i < p.size() && p[i] != '}'; ++i) {
          if (p[i] >= '0' && p[i] <= '9') value = std::min<std::size_t>(value * 10 + (p[i] - '0'), kMaxRegexCopies);
          if (p[i] == ',') { bound = value; value = 0; open_ended = true; }
        }
        bound = std::max(bound, value);
        times = std::max<std::size_t>(open_ended && value == 0 ? bound + 1 : bound, 1);
      }
      const std::size_t grow = last * (times - 1);
      open.back() += grow;
      last += grow;
      if (last > kMaxRegexCopies || open.back() > kMaxRegexCopies) return kMaxRegexCopies + 1;
      continue;
    }
    if (c == '*' || c == '?' || c == '|' || c == '^' || c == '$') continue;  // no copies
    atom(1);
  }
  std::size_t total = 0;
  for (auto n : open) total += n;
  return total;
}

}  // namespace

Result<BgpRegex> BgpRegex::compile(const std::string& pattern) {
  // Each '_' is an alternation of two anchors and a bracket (below); glibc's
  // regcomp grows with the cube of their number: 64 took 195 MB, ~120 over 2 GB
  // (found by tests/fuzz frr_config). 32 take 18 MB and 10 ms.
  if (std::count(pattern.begin(), pattern.end(), '_') > 32)
    return Error{"regular expression '" + pattern + "' has more than 32 '_'", "",
                 "split it into several as-path access-list entries"};
  if (regex_copies(pattern) > kMaxRegexCopies)
    return Error{"regular expression '" + pattern + "' repeats a repetition (undefined in POSIX; glibc's regcomp needs gigabytes or minutes for it)",
                 "", "repeat once: 'a+' rather than 'a++', no {m,n} inside another {m,n} or '+'"};
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
