/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared between bpf/corpus.bpf.c and tests/tools/corpus_loader.c: what the
 * corpus uprobe read from corpus_probe(struct corpus_state *), one entry per
 * tgid.  Keep CORPUS_FIELDS in sync with the JSON printed by the corpus
 * library releases (tests/fixtures/corpus/common_main.h). */
#ifndef CORPUS_H
#define CORPUS_H

#define CORPUS_FIELDS(X)						\
	X(hits) X(version) X(off_version)				\
	X(count) X(sz_count) X(tsz_count_t)				\
	X(big) X(sz_big) X(off_big)					\
	X(temp) X(signed_temp) X(sz_temp)				\
	X(flag_a) X(prio) X(delta)					\
	X(bits_ready) X(bits_level) X(bits_kind)			\
	X(as_int) X(lo) X(hi) X(off_hi)					\
	X(val_i) X(off_val)						\
	X(d2) X(off_d2) X(sz_d2) X(key1) X(grid12) X(off_grid12)	\
	X(has_tag) X(tag2)						\
	X(cfg_limit) X(off_cfg_limit) X(tsz_cfg_t)			\
	X(opaque)							\
	X(mode) X(enum_on) X(has_turbo) X(enum_turbo)			\
	X(has_legacy) X(legacy)						\
	X(state_flavour) X(state)					\
	X(has_extra) X(tsz_extra) X(tsz_state) X(has_val_union)		\
	X(pt_matches) X(mode_matches)					\
	X(tid_local) X(tid_target)

#define CORPUS_DECL(name) long long name;
struct corpus_result {
	CORPUS_FIELDS(CORPUS_DECL)
};
#undef CORPUS_DECL

#endif
