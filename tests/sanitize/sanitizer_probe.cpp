// sanitizer_probe MODE READY_FILE: a stand-in daemon for the sanitizer self-test
// (sanitizer_reports_test.sh), built only with HAIRPIN_SANITIZE. It writes READY_FILE,
// waits for SIGTERM and returns from main, as `hairpin nva` does, so LeakSanitizer
// runs at its exit. MODE: clean (no finding), leak (a block nobody frees), ubsan (a
// signed overflow on a value read at run time).
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

namespace {
char* volatile sink;  // where the leak mode keeps its block, then forgets it
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: sanitizer_probe clean|leak|ubsan READY_FILE\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode != "clean" && mode != "leak" && mode != "ubsan") {
    std::fprintf(stderr, "sanitizer_probe: unknown mode '%s'; use clean, leak or ubsan\n", argv[1]);
    return 2;
  }
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, nullptr);
  std::ofstream(argv[2]) << "ready\n";
  int sig = 0;
  sigwait(&term, &sig);
  if (mode == "leak") {
    // Lost on a thread that then ends: no stale copy of the pointer is left on a
    // stack LeakSanitizer scans, so the block is unreachable for certain.
    std::thread([] {
      sink = new char[64];
      std::strcpy(sink, "never freed");
      sink = nullptr;
    }).join();
  }
  if (mode == "ubsan") {
    volatile int big = 2147483647 - static_cast<int>(mode.size()) + 5;  // INT_MAX at run time
    volatile int sum = big + 1;                                          // signed overflow
    return sum == 0;
  }
  return 0;
}
