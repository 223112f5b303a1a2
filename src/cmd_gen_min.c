/* Placeholder until the gen min pass lands (owned by the gen-min work). */
#include "common.h"
#include "cmds.h"

int do_gen_min(int argc, char **argv)
{
	p_err("gen min: not built yet");
	return EXIT_FAIL;
}

int do_gen_min_core_btf(int argc, char **argv)
{
	p_err("gen min_core_btf: not built yet");
	return EXIT_FAIL;
}

int do_check(int argc, char **argv)
{
	p_err("check: not built yet");
	return EXIT_FAIL;
}
