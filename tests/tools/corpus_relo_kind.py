#!/usr/bin/env python3
"""Rewrite the kind of CO-RE relocations in a BPF object's .BTF.ext.

usage: corpus_relo_kind.py IN.o OUT.o FROM_KIND TO_KIND TYPE_NAME...

Every core_relo record of kind FROM_KIND whose root type is named one of
TYPE_NAME (struct/union/enum/typedef in .BTF) gets kind TO_KIND.  Prints the
number of records rewritten.

Why: clang < 15 cannot emit BPF_CORE_TYPE_MATCHES (12) relocations
(`bpf_core_type_matches()` crashes its backend), but libbpf 1.5 handles them.
bpf/corpus.bpf.c falls back to bpf_core_type_exists() (8) on clang < 15 for
the two types it checks for a match, and the corpus test rewrites those two
records so that gen min, check and the uprobe see real TYPE_MATCHES relocations.
"""
import struct
import sys

KIND_EXTRA = {1: 4, 3: 12, 14: 4, 17: 4}       # fixed extra bytes
KIND_VLEN = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}  # bytes per vlen entry


def sections(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit("Error: not a 64-bit little-endian ELF")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    hdrs = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    out = {}
    for h in hdrs:
        name = elf[stroff + h[0]:elf.index(b"\0", stroff + h[0])].decode()
        out[name] = (h[4], h[5])        # file offset, size
    return out


def btf_type_ids(btf, names):
    magic, ver, flags, hdr_len, type_off, type_len, str_off, str_len = \
        struct.unpack_from("<HBBIIIII", btf, 0)
    assert magic == 0xEB9F
    strs = hdr_len + str_off
    p, end, tid, ids = hdr_len + type_off, hdr_len + type_off + type_len, 1, set()
    while p < end:
        name_off, info, _ = struct.unpack_from("<III", btf, p)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        name = btf[strs + name_off:btf.index(b"\0", strs + name_off)].decode()
        if kind in (4, 5, 6, 8, 19) and name in names:
            ids.add(tid)
        p += 12 + KIND_EXTRA.get(kind, 0) + KIND_VLEN.get(kind, 0) * vlen
        tid += 1
    return ids


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    src, dst, frm, to = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    elf = bytearray(open(src, "rb").read())
    secs = sections(elf)
    if ".BTF" not in secs or ".BTF.ext" not in secs:
        sys.exit("Error: no .BTF/.BTF.ext in %s" % src)
    boff, bsz = secs[".BTF"]
    ids = btf_type_ids(bytes(elf[boff:boff + bsz]), set(sys.argv[5:]))
    eoff, _ = secs[".BTF.ext"]
    magic, ver, flags, hdr_len = struct.unpack_from("<HBBI", elf, eoff)
    assert magic == 0xEB9F and hdr_len >= 32
    relo_off, relo_len = struct.unpack_from("<II", elf, eoff + 24)
    p = eoff + hdr_len + relo_off
    end = p + relo_len
    rec_size, = struct.unpack_from("<I", elf, p)
    p += 4
    n = 0
    while p < end:
        _, num = struct.unpack_from("<II", elf, p)
        p += 8
        for _ in range(num):
            insn_off, type_id, acc, kind = struct.unpack_from("<IIII", elf, p)
            if kind == frm and type_id in ids:
                struct.pack_into("<I", elf, p + 12, to)
                n += 1
            p += rec_size
    open(dst, "wb").write(elf)
    print(n)


main()
