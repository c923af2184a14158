// shell_quote / remote_command_line against hostile words: each line is run
// through a real `sh -c` (dash, as the remote side would run it) and the argv the
// shell hands to the program is compared byte for byte with what went in.

#include "hairpin/common/shell_quote.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>

#include <string>
#include <vector>

#include "hairpin/verifier/runner/subprocess.hpp"

using namespace hairpin;
using namespace hairpin::verifier;
using namespace std::chrono_literals;

namespace {

// What `sh -c LINE` passes to the program: LINE runs `printf '%s\0' ARGV...`,
// so each argument comes back NUL-terminated, newlines and all.
std::vector<std::string> argv_after_shell(const std::string& line, const std::string& shell = "sh") {
  auto r = run_subprocess({shell, "-c", "printf '%s\\0' " + line}, 10s);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return {};
  EXPECT_EQ(r->exit_code, 0) << r->err;
  std::vector<std::string> out;
  std::string cur;
  for (char c : r->out) {
    if (c == '\0') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  EXPECT_TRUE(cur.empty()) << "output not NUL-terminated: " << cur;
  return out;
}

const std::vector<std::string> kHostile = {
    "plain",
    "",
    "two words",
    "'",
    "''",
    "it's",
    "\"double\"",
    "back\\slash",
    "trailing\\",
    "$(touch /tmp/hairpin-quote-pwned)",
    "`touch /tmp/hairpin-quote-pwned`",
    "$HOME",
    "${PATH}",
    "$((1+1))",
    "a;b",
    "a&&b",
    "a|b",
    "a>b",
    "<in",
    "line1\nline2",
    "\n",
    "tab\there",
    "*",
    "/*",
    "?",
    "[a-z]*",
    "{a,b}",
    "~",
    "~root",
    "-rf",
    "--",
    "-",
    "#comment",
    "a #b",
    "NAME=value",
    "!",
    "!!",
    "%1",
    "héllo wörld",
    "日本語",
    "\x01\x7f\xff",
    "  leading and trailing spaces  ",
    "'\"'\"'",
    "\\'",
};

}  // namespace

TEST(ShellQuote, SafeWordsStayReadable) {
  EXPECT_EQ(shell_quote("hairpin"), "hairpin");
  EXPECT_EQ(shell_quote("--json"), "--json");
  EXPECT_EQ(shell_quote("/run/hairpin/lab/vm-hub00/frr"), "/run/hairpin/lab/vm-hub00/frr");
  EXPECT_EQ(shell_quote("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(shell_quote("user@host:22"), "user@host:22");
}

TEST(ShellQuote, EverythingElseIsSingleQuoted) {
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(x)"), "'$(x)'");
  EXPECT_EQ(shell_quote("NAME=value"), "'NAME=value'");  // not an assignment
  EXPECT_EQ(shell_quote("~"), "'~'");                    // not the home directory
}

TEST(ShellQuote, EachHostileWordSurvivesShAlone) {
  for (const auto& word : kHostile) {
    auto got = argv_after_shell(shell_quote(word));
    ASSERT_EQ(got.size(), 1u) << "word: [" << word << "] quoted: " << shell_quote(word);
    EXPECT_EQ(got[0], word) << "quoted: " << shell_quote(word);
  }
}

TEST(RemoteCommandLine, HostileArgvComesBackExactlyThroughSh) {
  auto line = remote_command_line(kHostile);
  ASSERT_TRUE(line.ok()) << line.error().to_string();
  EXPECT_EQ(argv_after_shell(*line), kHostile);
}

TEST(RemoteCommandLine, HostileArgvComesBackExactlyThroughBash) {
  // ssh hands the line to the remote user's login shell: bash is the usual one.
  auto line = remote_command_line(kHostile);
  ASSERT_TRUE(line.ok()) << line.error().to_string();
  EXPECT_EQ(argv_after_shell(*line, "bash"), kHostile);
}

TEST(RemoteCommandLine, NothingIsExecutedOrExpanded) {
  const std::string marker = "/tmp/hairpin-quote-pwned-" + std::to_string(::getpid());
  std::vector<std::string> argv{"$(touch " + marker + ")", "`touch " + marker + "`", "; touch " + marker};
  auto line = remote_command_line(argv);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(argv_after_shell(*line), argv);
  EXPECT_NE(access(marker.c_str(), F_OK), 0) << "a quoted word was executed";
  // Positive control: the same text unquoted does create the file.
  auto r = run_subprocess({"sh", "-c", "printf '%s\\0' " + argv[0]}, 10s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(access(marker.c_str(), F_OK), 0) << "the control did not run the substitution";
  std::remove(marker.c_str());
}

TEST(RemoteCommandLine, UnquotedJoiningWouldHaveSplitTheWords) {
  // Why the function exists: joining with spaces, as ssh does with its arguments,
  // turns two words into four and expands the glob.
  std::vector<std::string> argv{"a b", "*"};
  std::string naive = argv[0] + " " + argv[1];
  EXPECT_NE(argv_after_shell(naive), argv);
  EXPECT_EQ(argv_after_shell(*remote_command_line(argv)), argv);
}

TEST(RemoteCommandLine, EmptyArgvAndNulBytesAreErrors) {
  EXPECT_FALSE(remote_command_line({}).ok());
  auto nul = remote_command_line({"echo", std::string("a\0b", 3)});
  ASSERT_FALSE(nul.ok());
  EXPECT_NE(nul.error().what.find("NUL"), std::string::npos) << nul.error().to_string();
}
