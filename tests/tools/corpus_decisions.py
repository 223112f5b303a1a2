#!/usr/bin/env python3
"""Normalise `ucorebtf check -j` output to one line per relocation decision:

    <program>/<index>\t<kind>\t<decision fields, sorted k=v>

Fields that name the target (file, type ids in the target BTF, which are
renumbered in a minimised blob) are dropped, so the output for a blob and for
the full BTF it came from must be identical.  Reads stdin, writes stdout.
"""
import json
import sys

KINDS = ["byte_off", "byte_sz", "field_exists", "signed", "lshift_u64",
         "rshift_u64", "local_type_id", "target_type_id", "type_exists",
         "type_size", "enumval_exists", "enumval_value", "type_matches"]
# Keys that depend on the target file or on its type numbering.
DROP = {"target", "targets", "file", "btf", "path", "lib", "version", "name_of_target",
        "targ_type_id", "targ_id", "target_type_id", "target_id", "targ_spec_id"}


def kind_name(k):
    if isinstance(k, int) and 0 <= k < len(KINDS):
        return KINDS[k]
    k = str(k).lower().replace("-", "_")
    for prefix in ("bpf_core_", "core_"):
        if k.startswith(prefix):
            k = k[len(prefix):]
    alias = {"field_byte_offset": "byte_off", "field_byte_size": "byte_sz",
             "field_signed": "signed", "field_lshift_u64": "lshift_u64",
             "field_rshift_u64": "rshift_u64", "type_id_local": "local_type_id",
             "type_id_target": "target_type_id", "enumval_value": "enumval_value"}
    return alias.get(k, k)


def records(node, ctx):
    if isinstance(node, dict):
        if "kind" in node:
            yield ctx, node
            return
        for k, v in node.items():
            c = dict(ctx)
            for key in ("prog", "program", "sec", "section"):
                if key in node and isinstance(node[key], str):
                    c["prog"] = node[key]
            yield from records(v, c)
    elif isinstance(node, list):
        for v in node:
            yield from records(v, ctx)


def main():
    text = sys.stdin.read()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = [json.loads(line) for line in text.splitlines() if line.strip()]
    n = 0
    for ctx, r in records(doc, {}):
        kind = kind_name(r["kind"])
        prog = r.get("prog") or r.get("program") or ctx.get("prog", "")
        idx = r.get("index", r.get("idx", r.get("relo", n)))
        fields = []
        for k in sorted(r):
            if k in ("kind", "prog", "program", "index", "idx", "relo") or k in DROP:
                continue
            v = r[k]
            if kind == "target_type_id" and k in ("value", "new_val", "new", "val"):
                v = "<id>" if v else 0
            if isinstance(v, str) and v.isdigit() and kind == "target_type_id":
                v = "<id>"
            fields.append("%s=%s" % (k, json.dumps(v, sort_keys=True)))
        print("%s/%s\t%s\t%s" % (prog, idx, kind, " ".join(fields)))
        n += 1
    sys.exit(0 if n else 1)


main()
