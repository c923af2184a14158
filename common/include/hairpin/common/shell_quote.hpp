#pragma once
// Shell quoting: the one place an argv vector becomes a line for a remote POSIX shell.
//
// In:  an argv vector (any bytes but NUL: quotes, $(), backticks, newlines, globs,
//      empty strings, leading dashes, non-ASCII).
// Out: one command line that a POSIX shell (sh, dash, bash, zsh: ssh runs the
//      remote user's login shell with -c) splits back into exactly that argv,
//      with nothing expanded, substituted or globbed.
// Who: the ssh runner (OpenSSH joins its command arguments with spaces and hands
//      the result to the remote shell, so the quoting must be ours), and every
//      command shown to a user (errors, evidence "how", a diagnosis's "next:"),
//      so what is shown can be pasted into a shell as it is. The runner tests run
//      every line through `sh -c` and compare the argv.
//
// POSIX (XCU 2.2.2): inside single quotes every character is literal, newline
// included; a single quote cannot appear inside them, so it is written as
// '\'' (close, an escaped quote, reopen).

#include <string>
#include <string_view>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin {

// One word for a POSIX shell. Words made only of [A-Za-z0-9_%+:,./@-] stay as
// they are (readable in logs); everything else, the empty word included, is
// single-quoted. '=' is always quoted: an unquoted NAME=value first word would
// be an assignment, not a command.
std::string shell_quote(std::string_view word);

// argv as one line for `sh -c`: each word quoted, joined by single spaces. For
// showing a command; a NUL byte (never in a real argv) is shown as it is.
std::string shell_words(const std::vector<std::string>& argv);

// The same, to be run by a remote shell: checked first.
// Error when argv is empty or a word holds a NUL byte (no argv can carry one).
Result<std::string> remote_command_line(const std::vector<std::string>& argv);

}  // namespace hairpin
