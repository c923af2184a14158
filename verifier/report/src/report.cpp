#include "hairpin/verifier/report/report.hpp"
