// Names of the FIB's route sources, for logs and `bgp show`.

#include "hairpin/bgpd/fib/fib.hpp"

namespace hairpin::bgpd {

std::string to_string(FibSource source) {
  switch (source) {
    case FibSource::Bgp: return "bgp";
    case FibSource::Network: return "network";
    case FibSource::Static: return "static";
  }
  return "unknown";
}

}  // namespace hairpin::bgpd
