/* Shared between the seed probe and its loader. */
#ifndef UCOREBTF_SEED_H
#define UCOREBTF_SEED_H

struct seed_result {
	unsigned int hits;
	int a;
	int c;
	int sum;
};

#endif
