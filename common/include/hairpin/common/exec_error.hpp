#pragma once
// How a command is named in messages, and the one line a user reads when exec
// itself failed (the lab's process runner and verify's runners both say it).
//
// In:  an argv; errno from a failed execvp.
// Out: an Error naming the program, why and the fix (the command quoted: shell_quote.hpp).

#include <string>
#include <vector>

#include "hairpin/common/result.hpp"

namespace hairpin {

// ENOENT: not installed; anything else: not executable. `install_hint` ends the
// fix for a missing program ("scripts/setup installs the lab's tools").
Error exec_error(const std::vector<std::string>& argv, int err, const std::string& install_hint);

}  // namespace hairpin
