#!/usr/bin/env python3
"""Turn every ```c block of the given Markdown files into a C file to compile
(tests/build/t_snippets.sh).  Usage: snippets.py OUTDIR DOC.md...

Prints one line per block, "KIND FILE DOC:LINE", KIND being
  bpf   BPF code (the block names SEC(, preserve_access_index, bpf_core_,
        BPF_CORE_, vmlinux.h or bpf_helpers.h): the block is file-scope code; it is compiled as is
        after a fixed prelude (vmlinux.h, bpf_helpers.h, bpf_tracing.h,
        bpf_core_read.h; all have include guards).
  user  an application fragment: its #include lines are moved to file
        scope, after a fixed prelude (stdio.h, stdlib.h, err.h,
        bpf/libbpf.h, ucorebtf.h); every other line becomes the body of
        `void snippet(void)`, so declarations and statements may mix as in
        a function, and a main() calling it is added (the file links).  A block that defines main() is a whole program and is
        compiled as is after the prelude.
#line directives point compiler errors at the Markdown line.
"""
import os
import re
import sys

BPF_PRELUDE = """#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
"""
USER_PRELUDE = """#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include <ucorebtf.h>
"""


def blocks(path):
    """(first line number, text) of every ```c block of path."""
    out, buf, start = [], None, 0
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if buf is None and re.fullmatch(r"```c\s*", line):
                buf, start = [], no + 1
            elif buf is not None and line.startswith("```"):
                out.append((start, buf))
                buf = None
            elif buf is not None:
                buf.append(line)
    if buf is not None:
        sys.exit(f"{path}:{start}: unterminated ```c block")
    return out


def render(doc, start, lines):
    text = "\n".join(lines)
    if re.search(r"\bSEC\(|preserve_access_index|\bbpf_core_|\bBPF_CORE_|vmlinux\.h|bpf_helpers\.h", text):
        return "bpf", f'{BPF_PRELUDE}#line {start} "{doc}"\n{text}\n'
    if re.search(r"^\w[\w\s\*]*\bmain\s*\(", text, re.M):
        return "user", f'{USER_PRELUDE}#line {start} "{doc}"\n{text}\n'
    incs = [l for l in lines if l.lstrip().startswith("#include")]
    body = ["" if l.lstrip().startswith("#include") else l for l in lines]
    return "user", (USER_PRELUDE + "\n".join(incs) + "\n\nvoid snippet(void)\n{\n"
                    f'#line {start} "{doc}"\n' + "\n".join(body) +
                    "\n}\n\nint main(void)\n{\n\tsnippet();\n\treturn 0;\n}\n")


def main():
    outdir, docs = sys.argv[1], sys.argv[2:]
    n = 0
    for doc in docs:
        for start, lines in blocks(doc):
            kind, src = render(doc, start, lines)
            n += 1
            name = os.path.join(outdir, "%s-%d.%s.c" % (
                re.sub(r"\W", "_", os.path.basename(doc)), start, kind))
            with open(name, "w", encoding="utf-8") as f:
                f.write(src)
            print(kind, name, f"{doc}:{start}")
    if not n:
        sys.exit("no ```c block in " + " ".join(docs))


main()
