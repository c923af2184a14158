#include "hairpin/common/shell_quote.hpp"

namespace hairpin {

namespace {

bool stays_bare(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '%' ||
         c == '+' || c == ':' || c == ',' || c == '.' || c == '/' || c == '@' || c == '-';
}

}  // namespace

std::string shell_quote(std::string_view word) {
  bool bare = !word.empty();
  for (unsigned char c : word) bare = bare && stays_bare(c);
  if (bare) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";  // XCU 2.2.2: no quote inside quotes; close, escaped quote, reopen
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string shell_words(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    line += shell_quote(word);
  }
  return line;
}

Result<std::string> remote_command_line(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error{"nothing to run", "remote command", "give a program and its arguments"};
  for (std::size_t i = 0; i < argv.size(); ++i)
    if (argv[i].find('\0') != std::string::npos)
      return Error{"argument " + std::to_string(i) + " holds a NUL byte, which no command line can carry",
                   "remote command " + shell_quote(argv[0]), "remove the NUL byte"};
  return shell_words(argv);
}

}  // namespace hairpin
