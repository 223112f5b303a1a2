/* libbpf's log, captured so that a failure can say what libbpf saw.
 *
 * libbpf prints through one process-wide callback.  This one keeps the
 * most telling warning line (a rejected CO-RE relocation, else the first
 * warning) for messages such as "BTF does not parse: <libbpf's line>", and
 * hands every line to the callback the CLI gave (its -d pass-through), if
 * any.  Nothing here writes anywhere itself. */
#ifndef UCOREBTF_TOOL_LIBBPF_LOG_H
#define UCOREBTF_TOOL_LIBBPF_LOG_H

#include <bpf/libbpf.h>

/* Install the capture.  pass (may be NULL) receives every line, as a
 * libbpf print callback does. */
void libbpf_log__init(libbpf_print_fn_t pass);

/* Forget the captured line before a call whose failure it should explain. */
void libbpf_log__reset(void);

/* The captured line, without '\n'; "" when libbpf warned about nothing. */
const char *libbpf_log__last(void);

#endif
