#include "common.h"
#include "cmds.h"
int do_gen_btf(int argc, char **argv) { p_err("gen btf: not built yet"); return EXIT_FAIL; }
