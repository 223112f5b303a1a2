#include "common.h"
#include "cmds.h"
int do_merge(int argc, char **argv) { p_err("merge: not built yet"); return EXIT_FAIL; }
