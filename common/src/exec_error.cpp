// Naming commands and failed execs in messages (exec_error.hpp).

#include "hairpin/common/exec_error.hpp"
#include "hairpin/common/shell_quote.hpp"

#include <cerrno>
#include <cstring>

namespace hairpin {

Error exec_error(const std::vector<std::string>& argv, int err, const std::string& install_hint) {
  const std::string& name = argv.front();
  if (err == ENOENT)
    return Error{"cannot run " + name + ": not installed (not found on PATH)", shell_words(argv),
                 "install " + name + " (" + install_hint + ") or put it on PATH"};
  return Error{"cannot run " + name + ": " + std::strerror(err), shell_words(argv),
               "check that it is an executable file"};
}

}  // namespace hairpin
