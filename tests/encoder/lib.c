/* The test "library": uses every type of encoder.h so that GCC describes it. */
#include <stdarg.h>
#include "encoder.h"

/* BTF has no complex type: the encoder must skip this member, loudly. */
struct enc_cplx {
	int before;
	_Complex double z;
	int after;
};

struct enc_cplx enc_cplx_global;

static int enc_static_helper(int x)
{
	return x * 2;
}

int enc_use_all(struct enc_all *all)
{
	return all->bits.a + all->anon.kind + all->atomic.refs + all->arrays.one[0] +
	       (int)all->funcs.sg + all->pt.x + all->u.i + enc_static_helper(1) +
	       enc_cplx_global.before;
}

long enc_sum(int n, ...)
{
	va_list ap;
	long s = 0;

	va_start(ap, n);
	while (n-- > 0)
		s += va_arg(ap, int);
	va_end(ap);
	return s;
}

size_t enc_flex_size(const struct enc_flex *f)
{
	return sizeof(*f) + f->len;
}

atomic_int_t *enc_refs(struct enc_atomic *a)
{
	return &a->refs;
}
