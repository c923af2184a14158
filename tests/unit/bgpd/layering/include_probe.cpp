// Compiled against one bgpd layer's include path only, with HEADER naming a
// header of another layer: see CMakeLists.txt.
#include HEADER

int bgpd_layering_probe() { return 0; }
