#pragma once
// What the topology and scenario readers share (private to verifier/model): a
// YAML document in, typed values out, every failure one Error with file:line
// (from yaml-cpp's marks) and a fix.
//
// Readers derive from YamlReader, call the typed getters while walking the
// document, and wrap the walk in read_document(), which turns the first
// failure into the Result's Error.

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "hairpin/common/ipv4.hpp"
#include "hairpin/common/result.hpp"

namespace hairpin::verifier {

// The text as one YAML document, or where it stops being YAML.
inline Result<YAML::Node> load_yaml(std::string_view text, const std::string& source) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{"not valid YAML: " + e.msg, source + ":" + std::to_string(e.mark.line + 1),
                 "check indentation and quoting near that line"};
  }
}

class YamlReader {
 protected:
  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  struct Failure {
    Error error;
  };

  // Runs `walk` (which returns T), turning a failure into an Error; yaml-cpp's own
  // exceptions (a mapping where a list was expected, …) get `fix`.
  template <typename Walk>
  auto read_document(Walk&& walk, std::string_view what, std::string_view fix) const
      -> Result<decltype(walk())> {
    try {
      return walk();
    } catch (const Failure& f) {
      return f.error;
    } catch (const YAML::Exception& e) {
      return Error{"not a valid " + std::string(what) + ": " + e.msg,
                   source_ + ":" + std::to_string(e.mark.line + 1), std::string(fix)};
    }
  }

  static int line_of(const YAML::Node& at) { return at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0; }

  [[noreturn]] void fail(const YAML::Node& at, std::string what, std::string fix) const {
    std::string where = source_;
    if (int line = line_of(at)) where += ":" + std::to_string(line);
    throw Failure{Error{std::move(what), std::move(where), std::move(fix)}};
  }

  [[noreturn]] void fail_at(int line, std::string what, std::string fix) const {
    throw Failure{Error{std::move(what), source_ + ":" + std::to_string(line), std::move(fix)}};
  }

  void expect_keys(const YAML::Node& map, std::string_view what, const std::set<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, std::string(what) + " must be a mapping", "write it as 'key: value' lines");
    for (const auto& kv : map) {
      auto key = kv.first.as<std::string>();
      if (!allowed.contains(key)) {
        std::string valid;
        for (const auto& a : allowed) valid += (valid.empty() ? "" : ", ") + a;
        fail(kv.first, "unknown key '" + key + "' in " + std::string(what), "valid keys: " + valid);
      }
    }
  }

  YAML::Node required(const YAML::Node& map, const std::string& key, std::string_view what) const {
    auto v = map[key];
    if (!v.IsDefined() || v.IsNull()) fail(map, std::string(what) + " is missing '" + key + "'", "add '" + key + ": ...'");
    return v;
  }

  static bool present(const YAML::Node& map, const std::string& key) {
    auto v = map[key];
    return v.IsDefined() && !v.IsNull();
  }

  std::string scalar(const YAML::Node& v, std::string_view what) const {
    if (!v.IsScalar()) fail(v, std::string(what) + " must be a single value", "write it as 'key: value'");
    return v.Scalar();
  }

  Ipv4Address ip(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    auto parsed = Ipv4Address::parse(text);
    if (!parsed) fail(v, std::string(what) + " '" + text + "' is not an IPv4 address", "write it like 10.0.0.4");
    return *parsed;
  }

  Ipv4Prefix prefix(const YAML::Node& v, std::string_view what) const {
    auto text = scalar(v, what);
    auto parsed = Ipv4Prefix::parse(text);
    if (!parsed)
      fail(v, std::string(what) + " '" + text + "' is not an IPv4 prefix with zero host bits",
           "write it like 10.100.0.0/16");
    return *parsed;
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace hairpin::verifier
