#!/usr/bin/env python3
"""btf-canon.py A.btf B.btf: do two raw BTF files hold the same types, ids
aside?  Each type is written out as a tree (what it refers to inlined,
loops through pointers as back-references), and the two sorted lists of
trees are compared.  Prints "same content: N types" (exit 0) or the first
difference (exit 1).  Used by scripts/bench-gen.sh against bpftool's
output, whose type order differs from ours."""
import struct
import sys

FIXED = {1: 4, 3: 12, 14: 4, 17: 4}            # int, array, var, decl_tag
PER = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}  # struct union enum proto datasec enum64


def parse(path):
    d = open(path, 'rb').read()
    magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from('<HBBIIIII', d)
    assert magic == 0xeb9f, path
    types, strs = d[hdr_len + toff:hdr_len + toff + tlen], d[hdr_len + soff:hdr_len + soff + slen]
    name = lambda o: strs[o:strs.index(b'\0', o)].decode()
    out, p = [None], 0
    while p < len(types):
        no, info, su = struct.unpack_from('<III', types, p)
        kind, vlen, kflag = (info >> 24) & 31, info & 0xffff, info >> 31
        ext = types[p + 12:p + 12 + FIXED.get(kind, 0) + vlen * PER.get(kind, 0)]
        p += 12 + len(ext)
        out.append((kind, kflag, name(no), su, ext, vlen, name))
    return out


def canon(ts, i, stack):
    if i == 0:
        return 'void'
    if i in stack:
        return '^%d' % (len(stack) - stack.index(i))
    kind, kflag, nm, su, ext, vlen, name = ts[i]
    stack = stack + [i]
    ref = lambda j: canon(ts, j, stack)
    if kind in (4, 5):
        mem = []
        for k in range(vlen):
            mn, mt, mo = struct.unpack_from('<III', ext, 12 * k)
            mem.append('%s:%s@%d' % (name(mn), ref(mt), mo))
        return '%d/%d %s size=%d {%s}' % (kind, kflag, nm, su, ','.join(mem))
    if kind == 3:
        et, it, n = struct.unpack_from('<III', ext)
        return 'array %s[%d] idx %s' % (ref(et), n, ref(it))
    if kind in (6, 19):
        w = 8 if kind == 6 else 12
        vals = [struct.unpack_from('<Ii' if kind == 6 else '<III', ext, w * k) for k in range(vlen)]
        return '%d/%d %s size=%d {%s}' % (kind, kflag, nm, su,
                                          ','.join('%s=%s' % (name(v[0]), v[1:]) for v in vals))
    if kind == 13:
        ps = [struct.unpack_from('<II', ext, 8 * k) for k in range(vlen)]
        return 'proto %s(%s)' % (ref(su), ','.join('%s:%s' % (name(a), ref(b)) for a, b in ps))
    if kind in (1, 16):
        return '%d %s size=%d %s' % (kind, nm, su, ext.hex())
    if kind == 7:
        return 'fwd/%d %s' % (kflag, nm)
    # ptr typedef volatile const restrict func var type_tag decl_tag datasec
    return '%d/%d %s -> %s %s' % (kind, kflag, nm, ref(su) if kind not in (15,) else su, ext.hex())


def main():
    a, b = parse(sys.argv[1]), parse(sys.argv[2])
    ca = sorted(canon(a, i, []) for i in range(1, len(a)))
    cb = sorted(canon(b, i, []) for i in range(1, len(b)))
    if ca == cb:
        print('same content: %d types' % len(ca))
        return 0
    for x, y in zip(ca + [''] * len(cb), cb + [''] * len(ca)):
        if x != y:
            print('differ (%d vs %d types):\n  %s\n  %s' % (len(ca), len(cb), x[:300], y[:300]))
            break
    return 1


if __name__ == '__main__':
    sys.exit(main())
