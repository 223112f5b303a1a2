#!/usr/bin/env python3
"""Damaged-input runs for tests/cli/t_robust.sh.

Builds deterministic damaged variants of real inputs (truncations, byte and
bit flips, targeted .BTF.ext CO-RE record and .BTF type corruption), runs the
CLI commands that read them (a sanitized ucorebtf) and checks each run: exit
0/1/2, no sanitizer report, no hang, an "Error: " line naming the damaged file
on failure, nothing left in the output place on failure.  Prints one
PASS/FAIL line per (command, input family).

usage: robust_fuzz.py emit object|library|crafted SRC NAME-PREFIX OUT
       robust_fuzz.py UCOREBTF WORKDIR KERNEL_BTF SEED_OBJ CORPUS_OBJ APP_BTF RAW_BTF GEN_BTF_ELF
"""
import concurrent.futures as cf
import os
import random
import shutil
import struct
import subprocess
import sys

if sys.argv[1] == "emit":
    UC = None
else:
    UC, WORK, KBTF, SEED, CORPUS, APPBTF, RAWBTF, ELF, CORPUSLIB = sys.argv[1:10]
QUICK = os.environ.get("ROBUST_QUICK")  # fewer variants while developing
ENV = dict(os.environ,
           ASAN_OPTIONS="abort_on_error=1:detect_leaks=0:allocator_may_return_null=1",
           UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1")
TIMEOUT = 20

# ---------------------------------------------------------------- ELF / BTF layout


def elf_sections(data):
    """name -> (offset, size) of an ELF64 LE file's sections."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = []
    for i in range(shnum):
        sh = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        secs.append(sh)
    stroff = secs[shstrndx][4]
    out = {}
    for sh in secs:
        name = data[stroff + sh[0]:data.index(b"\0", stroff + sh[0])].decode()
        out[name] = (sh[4], sh[5])
    return out


class BTF:
    """Offsets of a BTF blob's parts within the file at base."""

    def __init__(self, data, base):
        self.base = base
        magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", data, base)
        assert magic == 0xEB9F
        self.types = base + hdr_len + toff
        self.tend = self.types + tlen
        self.strs = base + hdr_len + soff
        self.slen = slen
        self.t = []  # (offset of btf_type, kind, vlen, name)
        off = self.types
        while off < self.tend:
            name_off, info, st = struct.unpack_from("<III", data, off)
            kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
            name = self.str(data, name_off)
            self.t.append((off, kind, vlen, name))
            off += 12 + {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen,
                         14: 4, 15: 12 * vlen, 17: 4, 19: 16 * vlen}.get(kind, 0)
        self.cnt = len(self.t) + 1

    def str(self, data, off):
        s = self.strs + off
        return data[s:data.index(b"\0", s)].decode(errors="replace") if off < self.slen else None

    def find_str(self, data, s):
        i = data.find(b"\0" + s.encode() + b"\0", self.strs - 1, self.strs + self.slen)
        return i + 1 - self.strs if i >= 0 else None


def ext_relos(data, ext_off):
    """(record offset, sec_name_off field offset) of each CO-RE relocation record."""
    hdr_len, = struct.unpack_from("<I", data, ext_off + 4)
    if hdr_len < 32:
        return []
    core_off, core_len = struct.unpack_from("<II", data, ext_off + 24)
    p = ext_off + hdr_len + core_off
    end = p + core_len
    rec_size, = struct.unpack_from("<I", data, p)
    p += 4
    out = []
    while p < end:
        sec_name_off, num = struct.unpack_from("<II", data, p)
        for k in range(num):
            out.append((p + 8 + k * rec_size, p))
        p += 8 + num * rec_size
    return out


def ext_funcinfo(data, ext_off):
    """offsets of func_info records (insn_off, type_id)."""
    hdr_len, = struct.unpack_from("<I", data, ext_off + 4)
    fi_off, fi_len = struct.unpack_from("<II", data, ext_off + 8)
    p = ext_off + hdr_len + fi_off
    end = p + fi_len
    rec_size, = struct.unpack_from("<I", data, p)
    p += 4
    out = []
    while p < end:
        _, num = struct.unpack_from("<II", data, p)
        out += [p + 8 + k * rec_size for k in range(num)]
        p += 8 + num * rec_size
    return out

# ---------------------------------------------------------------- variants


def put32(data, off, v):
    d = bytearray(data)
    struct.pack_into("<I", d, off, v & 0xFFFFFFFF)
    return bytes(d)


def put_str(data, btf, old_off, s):
    """Overwrite the string at old_off in place (it must be long enough)."""
    d = bytearray(data)
    at = btf.strs + old_off
    oldlen = data.index(b"\0", at) - at
    if len(s) > oldlen:
        return None
    d[at:at + oldlen] = s.encode() + b"\0" * (oldlen - len(s))
    return bytes(d)


def generic(data, n_trunc, n_flip, seed):
    """Truncations, single byte xor/set and single bit flips, spread over the file."""
    size = len(data)
    out = []
    step = max(1, size // n_trunc)
    for n in sorted(set(list(range(0, size, step)) + list(range(min(size, 64))))):
        out.append(("trunc%d" % n, data[:n]))
    rnd = random.Random(seed)
    step = max(1, size // n_flip)
    for pos in range(0, size, step):
        d = bytearray(data)
        d[pos] ^= 0xFF
        out.append(("xor%d" % pos, bytes(d)))
        d = bytearray(data)
        pos2 = rnd.randrange(size)
        d[pos2] ^= 1 << rnd.randrange(8)
        out.append(("bit%d" % pos2, bytes(d)))
    return out


def btf_type_damage(data, btf, tag):
    """Type graph damage: self references, ids beyond the count, loops."""
    out = []
    first_ref = None
    for i, (off, kind, vlen, name) in enumerate(btf.t):
        tid = i + 1
        if kind in (4, 5) and vlen:  # struct/union: member type
            for m in range(min(vlen, 3)):
                moff = off + 12 + 12 * m + 4
                out.append(("%s-t%d-m%d-self" % (tag, tid, m), put32(data, moff, tid)))
                out.append(("%s-t%d-m%d-beyond" % (tag, tid, m), put32(data, moff, btf.cnt)))
                out.append(("%s-t%d-m%d-huge" % (tag, tid, m), put32(data, moff, 0xFFFFFFF0)))
                out.append(("%s-t%d-m%d-name" % (tag, tid, m), put32(data, moff - 4, btf.slen + 7)))
                out.append(("%s-t%d-m%d-off" % (tag, tid, m), put32(data, moff + 4, 0xFFFFFFF8)))
                out.append(("%s-t%d-m%d-bf" % (tag, tid, m),
                            put32(put32(data, off + 4, (kind << 24) | 0x80000000 | vlen),
                                  moff + 4, 0xFF000000 | 0xFFFFF)))
            out.append(("%s-t%d-union" % (tag, tid), put32(data, off + 4, ((9 - kind) << 24) | vlen)))
            out.append(("%s-t%d-sizehuge" % (tag, tid), put32(data, off + 8, 0xFFFFFFF0)))
            out.append(("%s-t%d-vlen" % (tag, tid), put32(data, off + 4, (kind << 24) | 0xFFFF)))
            out.append(("%s-t%d-size0" % (tag, tid), put32(data, off + 8, 0)))
            out.append(("%s-t%d-bitfield" % (tag, tid),
                        put32(data, off + 4, (kind << 24) | 0x80000000 | vlen)))
        if kind in (2, 7, 8, 9, 10, 11):  # ptr, fwd, typedef, volatile, const, restrict
            out.append(("%s-t%d-self" % (tag, tid), put32(data, off + 8, tid)))
            out.append(("%s-t%d-beyond" % (tag, tid), put32(data, off + 8, btf.cnt)))
            if kind != 7 and first_ref is None:
                first_ref = (off, tid)
            elif kind != 7 and first_ref:
                # two-type loop: A -> B -> A
                d = put32(data, off + 8, first_ref[1])
                out.append(("%s-t%d-loop%d" % (tag, tid, first_ref[1]),
                            put32(d, first_ref[0] + 8, tid)))
        if kind == 3:  # array: elem type self, index type beyond
            out.append(("%s-t%d-arr-self" % (tag, tid), put32(data, off + 12, tid)))
            out.append(("%s-t%d-arr-idx" % (tag, tid), put32(data, off + 16, btf.cnt)))
            out.append(("%s-t%d-arr-n" % (tag, tid), put32(data, off + 20, 0xFFFFFFFF)))
        if kind == 1:
            out.append(("%s-t%d-int-enc" % (tag, tid), put32(data, off + 12, 0xFF00FFFF)))
        if kind in (8, 2):  # typedef/ptr -> a struct: make the struct contain it by value
            pass
        if len(out) > 200:
            break
    # whole chain of typedefs: turn every typedef/const/volatile into a ring
    refs = [(off, i + 1) for i, (off, kind, vlen, name) in enumerate(btf.t) if kind in (8, 9, 10, 11)]
    if len(refs) > 1:
        d = data
        for j, (off, tid) in enumerate(refs):
            d = put32(d, off + 8, refs[(j + 1) % len(refs)][1])
        out.append(("%s-ring%d" % (tag, len(refs)), d))
    # a struct's first member made a modifier/typedef that names itself (what
    # field matching walks with libbpf's skip_mods_and_typedefs()), and one
    # that names the struct back: the struct contains itself by value
    structs = [(off, i + 1) for i, (off, kind, vlen, name) in enumerate(btf.t) if kind == 4 and vlen]
    mods = [(off, i + 1) for i, (off, kind, vlen, name) in enumerate(btf.t) if kind in (8, 9, 10, 11)]
    for soff, sid in structs[:2]:
        for moff, mid in mods[:2]:
            d = put32(data, soff + 12 + 4, mid)
            out.append(("%s-t%d-memberloop%d" % (tag, sid, mid), put32(d, moff + 8, mid)))
            out.append(("%s-t%d-byvalue-loop%d" % (tag, sid, mid), put32(d, moff + 8, sid)))
    # header: string/type section offsets and lengths
    b = btf.base
    for k, v in ((8, 0xFFFFFFF0), (12, 0xFFFFFFF0), (16, 0xFFFFFFF0), (20, 0xFFFFFFF0),
                 (12, 0), (20, 0), (20, 1), (4, 0x00FF0001), (4, 0x18FF0001)):
        out.append(("%s-hdr%d-%x" % (tag, k, v), put32(data, b + k, v)))
    return out


def relo_damage(data, btf, ext_off, size_text):
    """.BTF.ext CO-RE record corruption."""
    out = []
    recs = ext_relos(data, ext_off)
    # names long enough to be overwritten with crafted access strings
    names = sorted({(len(n), n) for (_, _, _, n) in btf.t if n}, reverse=True)
    bad_access = ["0:99:1", "0:1:99", "99", "0:", ":", "", "-1", "0:4294967296",
                  "0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0",
                  "0:x", "1:0", "0:0:0", "0:1", "00000000000000000000000001"]
    # a few records fully, a sample of the rest: the checks are per record
    picked = [(ri, rec) for ri, rec in enumerate(recs) if ri < 3 or ri % 40 == 0]
    for ri, (roff, soff) in picked:
        insn_off, type_id, access_off, kind = struct.unpack_from("<IIII", data, roff)
        tag = "relo%d" % ri
        for v in (0, btf.cnt - 1, btf.cnt, btf.cnt + 1, 0x7FFFFFFF, 0xFFFFFFFF):
            out.append(("%s-type%x" % (tag, v), put32(data, roff + 4, v)))
        for v in (0, btf.slen, btf.slen - 1, btf.slen + 1000, 0xFFFFFFFF):
            out.append(("%s-access%x" % (tag, v), put32(data, roff + 8, v)))
        for v in (size_text, size_text + 8, 0x7FFFFFF8, 3, 0xFFFFFFFF):
            out.append(("%s-insn%x" % (tag, v), put32(data, roff, v)))
        for v in list(range(0, 14)) + [255, 0xFFFFFFFF]:
            if v != kind:
                out.append(("%s-kind%d" % (tag, v), put32(data, roff + 12, v)))
        # the record's type turned into another type (wrong kind for the access)
        for v in range(1, min(btf.cnt, 40) if ri == 0 else 0):
            if v != type_id:
                out.append(("%s-type%d" % (tag, v), put32(data, roff + 4, v)))
        for s in bad_access:
            for ln, n in names:
                if ln >= len(s):
                    no = btf.find_str(data, n)
                    d = put_str(data, btf, no, s) if no is not None else None
                    if d:
                        out.append(("%s-acc[%s]" % (tag, s[:12]), put32(d, roff + 8, no)))
                    break
            # same, for every kind
            if s in ("0:99:1", "0:1:99") and names:
                no = btf.find_str(data, names[0][1])
                d = put_str(data, btf, no, s)
                if d:
                    for k in range(0, 14):
                        dd = put32(put32(d, roff + 8, no), roff + 12, k)
                        out.append(("%s-acc[%s]-kind%d" % (tag, s, k), dd))
    if recs:
        roff, soff = recs[0]
        # relocations in a section with no program, or with a name beyond the strings
        lic = btf.find_str(data, "license") or btf.find_str(data, ".maps") or 0
        for v in (lic, 0, btf.slen, 0xFFFFFFFF):
            out.append(("relosec-name%x" % v, put32(data, soff, v)))
        out.append(("relosec-num0", put32(data, soff + 4, 0)))
        out.append(("relosec-numhuge", put32(data, soff + 4, 0xFFFFFFFF)))
        out.append(("relosec-recsize", put32(data, soff - 4, 8) if soff - 4 >= 0 else data))
    for fi, foff in enumerate(ext_funcinfo(data, ext_off)[:4]):
        out.append(("func%d-type-beyond" % fi, put32(data, foff + 4, btf.cnt)))
        out.append(("func%d-type-huge" % fi, put32(data, foff + 4, 0xFFFFFFFF)))
        out.append(("func%d-type-int" % fi, put32(data, foff + 4, 1)))
        out.append(("func%d-insn-huge" % fi, put32(data, foff, 0xFFFFFFF8)))
    # .BTF.ext header fields
    for k in (4, 8, 12, 16, 20, 24, 28):
        for v in (0xFFFFFFF0, 0, 3):
            out.append(("exthdr%d-%x" % (k, v), put32(data, ext_off + k, v)))
    return out


def object_variants(path, tag, n_trunc, n_flip):
    data = open(path, "rb").read()
    secs = elf_sections(data)
    boff, _ = secs[".BTF"]
    eoff, _ = secs[".BTF.ext"]
    btf = BTF(data, boff)
    text = max((s for n, s in secs.items() if n.startswith("uprobe") or n.startswith("kprobe")
                or n == ".text"), key=lambda s: s[1], default=(0, 0))[1]
    v = generic(data, n_trunc, n_flip, tag)
    # flips concentrated on .BTF.ext (small, dense with offsets)
    e_off, e_size = secs[".BTF.ext"]
    for pos in range(e_off, e_off + e_size, max(1, e_size // (n_flip // 2 or 1))):
        d = bytearray(data)
        d[pos] ^= 0x80
        v.append(("ext-xor%d" % pos, bytes(d)))
    v += relo_damage(data, btf, eoff, text)
    v += btf_type_damage(data, btf, "objbtf")
    return v


def library_variants(path, tag, n_trunc, n_flip):
    data = open(path, "rb").read()
    if data[:4] == b"\x7fELF":
        base = elf_sections(data)[".BTF"][0]
    else:
        base = 0
    btf = BTF(data, base)
    return generic(data, n_trunc, n_flip, tag) + btf_type_damage(data, btf, "btf")

def raw_btf(types, strs):
    """Raw BTF from encoded types and a string blob (strs[0] must be \0)."""
    t = b"".join(types)
    return struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(t), len(t), len(strs)) + t + strs


def crafted():
    """Hand-made library BTFs: a typedef chain nested too deep to walk
    recursively, and two different definitions of struct data."""
    strs = b"\0int\0data\0a\0b\0c\0d\0t\0"
    s_int, s_data, s_a, s_b, s_c, s_d, s_t = 1, 5, 10, 12, 14, 16, 18
    INT = struct.pack("<IIII", s_int, 1 << 24, 4, 32)

    def struct_(members, size):
        return struct.pack("<III", s_data, (4 << 24) | len(members), size) + b"".join(
            struct.pack("<III", n, t, off * 8) for n, t, off in members)

    out = []
    depth = 3000
    chain = [struct.pack("<III", s_t, 8 << 24, 1 if i == 0 else 2 + i - 1) for i in range(depth)]
    out.append(("deep-typedefs", raw_btf([INT] + chain + [
        struct_([(s_a, 1, 0), (s_b, 1 + depth, 4), (s_c, 1, 8), (s_d, 1, 12)], 16)], strs)))
    out.append(("two-data", raw_btf([INT, struct_([(s_a, 1, 0), (s_c, 1, 8)], 12),
                                     struct_([(s_a, 1, 4), (s_c, 1, 0)], 12)], strs)))
    return out

# ---------------------------------------------------------------- running


def run_one(job):
    """job: (family, command label, variant name, bytes, suffix, argv builder)"""
    idx, fam, cmd, name, data, suffix, argv_of = job
    d = os.path.join(WORK, "v", "%d-%s" % (idx, name.replace("/", "_")[:100]))
    os.makedirs(d, exist_ok=True)
    # the library label comes from the file name: keep it a plain name
    f = os.path.join(d, "in-1" + suffix)
    with open(f, "wb") as fh:
        fh.write(data)
    outp = os.path.join(d, "out")
    argv = argv_of(f, outp)
    try:
        p = subprocess.run(argv, cwd=d, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
        rc, err = p.returncode, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        rc, err = "hang", ""
    why = None
    if rc == "hang":
        why = "hang (> %ds)" % TIMEOUT
    elif rc not in (0, 1, 2):
        why = "exit %s" % rc
    elif "Sanitizer" in err or "runtime error:" in err:
        why = "sanitizer report"
    elif rc != 0:
        lines = [l for l in err.splitlines() if l.startswith("Error: ")]
        if not lines:
            why = "no Error line"
        elif not any(f in l for l in lines):
            why = "Error line does not name the file"
        elif os.path.exists(outp):
            why = "output left on failure"
    left = [x for x in os.listdir(d) if ".tmp." in x]
    if os.path.isdir(outp):
        left += [x for x in os.listdir(outp) if ".tmp." in x]
    if not why and left:
        why = "temp file left: %s" % left[0]
    if why:
        keep = os.path.join(WORK, "failed")
        os.makedirs(keep, exist_ok=True)
        shutil.copy(f, os.path.join(keep, "%s-%s-%s%s" % (
            fam.split()[-1].strip("()"), cmd.replace(" ", "_"), os.path.basename(d), suffix)))
        msg = "%s [%s]: %s: %s" % (name, " ".join(os.path.basename(a) if a == f else a for a in argv[1:]),
                                   why, " | ".join(err.strip().splitlines()[-12:])[:1500])
    else:
        msg = None
    shutil.rmtree(d, ignore_errors=True)
    return fam, cmd, rc, msg


def emit(kind, src, prefix, dst):
    """Write the first variant whose name starts with prefix (regressions)."""
    vs = {"object": lambda: object_variants(src, "x", 60, 40),
          "library": lambda: library_variants(src, "x", 60, 40),
          "crafted": crafted}[kind]()
    for n, d in vs:
        if n.startswith(prefix):
            open(dst, "wb").write(d)
            return
    sys.exit("no variant %s" % prefix)


def main():
    nt, nf = (40, 20) if QUICK else (int(os.environ.get("ROBUST_TRUNC", 60)),
                                     int(os.environ.get("ROBUST_FLIP", 40)))
    seed_v = object_variants(SEED, "seed", nt, nf)
    corpus_v = object_variants(CORPUS, "corpus", nt, nf)
    app_v = library_variants(APPBTF, "app", nt, nf)
    raw_v = library_variants(RAWBTF, "raw", 10 ** 6, 10 ** 6) + crafted()  # small: every length, every byte
    clib_v = library_variants(CORPUSLIB, "clib", nt, nf)
    elf_data = open(ELF, "rb").read()
    elf_v = generic(elf_data, nt // 3, nf // 3, "elf")

    K = ["-k", KBTF]
    def obj_cmds(lib):
        return {
            "gen min": lambda f, o: [UC, "gen", "min", f, lib] + K + ["-o", o],
            "check": lambda f, o: [UC, "check", f, lib] + K,
            "gen min_core_btf": lambda f, o: [UC, "gen", "min_core_btf", KBTF, o, f],
        }
    def lib_cmds(obj):
        return {
            "gen min": lambda f, o: [UC, "gen", "min", obj, f] + K + ["-o", o],
            "check": lambda f, o: [UC, "check", obj, f] + K,
            "merge": lambda f, o: [UC, "merge", "--base", KBTF, f, "-o", o],
            "gen min_core_btf": lambda f, o: [UC, "gen", "min_core_btf", f, o, obj],
        }
    jobs = []
    for fam, vs, cmds, sfx in (("BPF objects (seed)", seed_v, obj_cmds(APPBTF), ".bpf.o"),
                               ("BPF objects (corpus)", corpus_v, obj_cmds(CORPUSLIB), ".bpf.o"),
                               ("gen btf ELF files (seed app)", app_v, lib_cmds(SEED), ".btf"),
                               ("gen btf ELF files (corpus library)", clib_v, lib_cmds(CORPUS), ".btf"),
                               ("pahole raw BTF", raw_v, lib_cmds(SEED), ".btf")):
        for cmd, argv_of in cmds.items():
            # check and min_core_btf on objects: the same parsing as gen min,
            # a sample is enough
            sample = vs if cmd == "gen min" or cmd == "merge" else vs[::3]
            jobs += [(fam, cmd, n, d, sfx, argv_of) for n, d in sample]
    jobs += [("ELF binaries", "gen btf", n, d, "",
              lambda f, o: [UC, "gen", "btf", f, "-o", o]) for n, d in elf_v]

    res = {}
    with cf.ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as ex:
        jobs = [(i,) + j for i, j in enumerate(jobs)]
        for fam, cmd, rc, msg in ex.map(run_one, jobs):
            r = res.setdefault((cmd, fam), [0, [], 0])
            r[0] += 1
            r[2] += rc == 0
            if msg:
                r[1].append(msg)
    for (cmd, fam), (n, fails, ok) in res.items():
        if fails:
            print("FAIL: robust: %s on %d damaged %s: %d bad runs, first: %s" %
                  (cmd, n, fam, len(fails), fails[0]))
            for m in fails[1:6]:
                print("    also: %s" % m)
        else:
            print("PASS: robust: %s on %d damaged %s: no crash, all errors name the file "
                  "(%d rejected, %d accepted)" % (cmd, n, fam, n - ok, ok))


if UC is None:
    emit(*sys.argv[2:6])
else:
    main()
