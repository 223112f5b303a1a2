#!/usr/bin/env python3
"""Help output, man pages and bash completion name the same objects,
commands and options (tests/build/t_man_sync.sh; bpftool keeps such a test).

usage: man_sync.py UCOREBTF MAN_RST_DIR COMPLETION_SCRIPT

Everything is derived at run time; nothing is listed here.

Help.  `ucorebtf help`, `ucorebtf OBJECT help` for every OBJECT it names,
and `ucorebtf OBJECT COMMAND --help` (`ucorebtf OBJECT --help` for an object
without commands; output of a non-zero exit is ignored: an error, not help).
Lines starting with "Error:", "Warning:" or "Try " are dropped.
  - A usage line starts with "ucorebtf " (after an optional "Usage:"), or,
    in the top-level help, with exactly two spaces and a lowercase word.
    Its command path is its leading lowercase words after "ucorebtf"
    ([a-z_] words, alternatives split at "|"): "gen min OBJ..." is
    gen/min, "archive list|show ..." is archive/list and archive/show.
    A line right after a usage line that starts (after spaces) with "[" or
    "-" continues it.
  - An option is a token "--long-name" anywhere, or "-x" in a usage line
    (prose says "uname -m"), not preceded by a letter, digit, "_", "-",
    "." or "/".
  - An object's options are those of its lines of the top-level usage and
    of the whole output of its own help commands.  A command's options,
    for the completion, are those of its usage lines in `ucorebtf OBJECT
    help` (the top-level help may pack several commands in one line) and
    of its --help output.  The global options are the tokens of the
    top-level help from the line starting with "OPTIONS" (any case) to
    the next blank line.

Man pages (docs/man/*.rst, parsed with docutils).  ucorebtf.rst holds the
objects (the "*OBJECT* := { **a** | **b** }" line) and the global options;
ucorebtf-OBJECT.rst the commands ("*COMMANDS* := { ... }") and options (an
object with neither, such as version, needs no page of its own).
An option is one entry of an OPTIONS option list, with all its spellings
("-o OUT, --output OUT" is one option, -o or --output).

Completion: the script is sourced after bash-completion and asked, as bash
would ask it, for "ucorebtf <TAB>", "ucorebtf -<TAB>", "ucorebtf OBJECT
<TAB>" and "ucorebtf OBJECT [COMMAND] -<TAB>".

Checks, per object: objects and commands are the same sets in all three
("help" counts as a command of every object that has commands);
every option in the help is a spelling in the man page (the object's or
the global ones) and the other way round every man page option has a
spelling in the help; the completion offers, for each command, every
option its usage line and --help name (global ones aside), and offers
nothing the man page does not document.
"""
import glob
import os
import re
import subprocess
import sys

from docutils import nodes
from docutils.core import publish_doctree

UCB, MAN_DIR, COMP = sys.argv[1:4]

OPT_RE = re.compile(r"(?<![\w./-])(--?[A-Za-z][A-Za-z0-9_-]*)")
LONG_RE = re.compile(r"(?<![\w./-])(--[A-Za-z][A-Za-z0-9_-]*)")
results = []


def check(ok, what):
    results.append(("PASS: " if ok else "FAIL: ") + "man sync: " + what)


def run(*args):
    p = subprocess.run([UCB, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, text=True, timeout=30)
    return p.returncode, p.stdout


def clean(text):
    return [l for l in text.splitlines() if not re.match(r"\s*(Error:|Warning:|Try )", l)]


def usage(lines, top=False):
    """[(path words, option tokens)] of the usage lines (with continuations)."""
    out, cur = [], None
    for l in lines:
        m = re.match(r"\s*(?:Usage:\s*)?ucorebtf\s+(.*)", l)
        if not m and top and re.match(r"  [a-z]", l):
            m = re.match(r"\s*(.*)", l)
        if m:
            words = []
            for w in m.group(1).split():
                if not re.fullmatch(r"[a-z_]+(\|[a-z_]+)*", w):
                    break
                words.append(w.split("|"))
            cur = [words, set(OPT_RE.findall(l))]
            out.append(cur)
        elif cur is not None and re.match(r"\s+[\[-]", l):
            cur[1] |= set(OPT_RE.findall(l))
        else:
            cur = None
    return out


def paths(words):
    """Expand alternatives: [[a], [b, c]] -> [(a, b), (a, c)]."""
    res = [()]
    for alts in words[:2]:
        res = [p + (a,) for p in res for a in alts]
    return [p for p in res if p]


def options(lines):
    """Long options anywhere, short ones in usage lines."""
    toks = set(LONG_RE.findall("\n".join(lines)))
    for _, opts in usage(lines):
        toks |= opts
    return toks


# ---- help ----
rc, top_text = run("help")
top = clean(top_text)
top_usage = usage(top, top=True)
help_global, in_opts = set(), False
for l in top:
    in_opts = (in_opts and l.strip() != "") or bool(re.match(r"\s*OPTIONS\b", l, re.I))
    if in_opts:
        help_global |= set(OPT_RE.findall(l))
help_objs, help_cmds, help_opts, cmd_opts = set(), {}, {}, {}
for words, opts in top_usage:
    for p in paths(words):
        help_objs.add(p[0])
        help_opts.setdefault(p[0], set()).update(opts)
        if len(p) > 1:
            help_cmds.setdefault(p[0], set()).add(p[1])
for obj in sorted(help_objs):
    rc, text = run(obj, "help")
    lines = clean(text)
    help_opts[obj] |= options(lines)
    for words, opts in usage(lines):
        for p in paths(words):
            if p[0] != obj:
                continue
            if len(p) > 1:
                help_cmds.setdefault(obj, set()).add(p[1])
            cmd_opts.setdefault(p, set()).update(opts)
    for cmd in sorted(help_cmds.get(obj, {None})):
        if cmd == "help":
            continue
        p = (obj, cmd) if cmd else (obj,)
        cmd_opts.setdefault(p, set())
        rc, text = run(*p, "--help")
        if rc == 0:
            toks = options(clean(text))
            help_opts[obj] |= toks
            cmd_opts[p] |= toks

# ---- man pages ----
def man_page(path):
    src = open(path, encoding="utf-8").read()
    tree = publish_doctree(src, settings_overrides={"report_level": 5})
    groups = []
    for item in tree.traverse(nodes.option_list_item):
        groups.append({s.astext() for s in item.traverse(nodes.option_string)})
    lists = {}
    for m in re.finditer(r"^\*(\w+)\* := \{(.*)\}", src, re.M):
        lists[m.group(1)] = set(re.findall(r"\*\*([\w-]+)\*\*", m.group(2)))
    return groups, lists


man = {}
for path in sorted(glob.glob(os.path.join(MAN_DIR, "ucorebtf*.rst"))):
    name = os.path.basename(path)[:-4]
    man[name[len("ucorebtf-"):] if name != "ucorebtf" else ""] = man_page(path)
global_groups = man.get("", ([], {}))[0]
global_spell = set().union(*global_groups) if global_groups else set()
man_objs = man.get("", ([], {}))[1].get("OBJECT", set())

# ---- completion ----
def complete(queries):
    script = (". /usr/share/bash-completion/bash_completion\n. %s\n"
              "q() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\";"
              " COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _ucorebtf ucorebtf"
              " \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\";"
              " echo \"${COMPREPLY[*]}\"; }\n" % COMP)
    for q in queries:
        script += "q ucorebtf " + " ".join("'%s'" % w for w in q) + "\n"
    out = subprocess.run(["bash", "--norc", "-c", script], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=60)
    lines = out.stdout.split("\n")
    if len(lines) < len(queries):
        sys.exit("completion script failed: " + out.stderr[:300])
    return {q: set(lines[i].split()) for i, q in enumerate(queries)}


queries = [("",), ("-",)] + [(o, "") for o in sorted(help_cmds)] + \
    [(p + ("-",)) for p in sorted(cmd_opts) if p[-1:] != ("help",)]
comp = complete(queries)

# ---- checks ----
comp_objs = comp[("",)] - {"help"}
check(help_objs and help_objs == man_objs == comp_objs,
      "objects: help %s, man %s, completion %s" % (sorted(help_objs), sorted(man_objs), sorted(comp_objs)))
# An object with no commands and no options of its own (version) is
# documented in ucorebtf.rst alone.
bare = {o for o in help_objs if o not in help_cmds and not help_opts.get(o, set()) - help_global}
missing = sorted(help_objs - set(man) - bare)
check(not missing, "every object has its man page ucorebtf-OBJECT.rst" + (": missing %s" % missing if missing else ""))
check(help_global and all(any(t in g for g in global_groups) for t in help_global) and
      all(g & help_global for g in global_groups) and comp[("-",)] == global_spell,
      "global options: help %s, man %s, completion %s" % (
          sorted(help_global), sorted(global_spell), sorted(comp[("-",)])))

for obj in sorted(help_objs - (bare - set(man))):
    groups, lists = man.get(obj, ([], {}))
    spell = set().union(*groups) if groups else set()
    if obj in help_cmds:
        # "help" is how the test reads the help: man and completion name it
        hc, mc, cc = help_cmds[obj] | {"help"}, lists.get("COMMANDS", set()), comp[(obj, "")]
        check(hc == mc == cc, "%s commands: help %s, man %s, completion %s" % (
            obj, sorted(hc), sorted(mc), sorted(cc)))
    h = help_opts.get(obj, set())
    undocumented = sorted(t for t in h if t not in spell and t not in global_spell)
    check(not undocumented, "%s: every option of the help is in ucorebtf-%s.8%s" % (
        obj, obj, ": missing %s" % undocumented if undocumented else ""))
    nohelp = sorted("/".join(sorted(g)) for g in groups
                    if not g & h)
    check(groups and not nohelp, "%s: every option of ucorebtf-%s.8 is in the help%s" % (
        obj, obj, ": not in the help %s" % nohelp if nohelp else ""))
    for p in sorted(q for q in cmd_opts if q[0] == obj and q[-1:] != ("help",)):
        want = {t for t in cmd_opts[p] if t not in global_spell or t in spell}
        got = comp[p + ("-",)]
        lacking, extra = sorted(want - got), sorted(got - spell)
        check(not lacking and not extra, "completion of '%s -': %s%s%s" % (
            " ".join(p), " ".join(sorted(got)) or "(none)",
            "; lacks %s" % lacking if lacking else "", "; not in the man page %s" % extra if extra else ""))

print("\n".join(results))
