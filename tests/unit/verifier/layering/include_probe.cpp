// Compiled against one verifier layer's include path only, with HEADER naming a
// header of another layer: see CMakeLists.txt.
#include HEADER

int verifier_layering_probe() { return 0; }
