/* A second compilation unit using the same header: every struct is described
 * twice in the DWARF, and the BTF must still hold each once after dedup
 * (pahole 1.24 keeps two copies of the structs with _Atomic members). */
#include "encoder.h"

int enc_other(struct enc_all *all, struct enc_atomic *a)
{
	return all->atomic.refs + a->plain + all->bits.b;
}
