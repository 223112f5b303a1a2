/* A "library" whose struct file collides with the kernel's struct file. */
#include <stdio.h>

struct file {
	long pos;
	int fd;
	unsigned int f_flags;
	int refs;
};

__attribute__((noinline, used)) int add_test(struct file *f)
{
	return f->fd + f->refs;
}

int main(void)
{
	struct file f = { .pos = 7, .fd = 5, .f_flags = 9, .refs = 2 };

	printf("add_test = %d\n", add_test(&f));
	return 0;
}
