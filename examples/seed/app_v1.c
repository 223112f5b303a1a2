/* Seed application, release 1: struct data { a, c, d }. */
#include <stdio.h>

struct data {
	int a;
	int c;
	int d;
};

__attribute__((noinline, used)) int add_test(struct data *d)
{
	return d->a + d->c;
}

int main(void)
{
	struct data d = { .a = 1, .c = 3, .d = 4 };

	printf("add_test = %d\n", add_test(&d));
	return 0;
}
