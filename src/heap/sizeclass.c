/*
 * sizeclass.c - the size-class table, generated at start-up by a rule.
 *
 * Small requests (up to TC_MAX_SMALL = 32 KiB) are rounded up to a class
 * size.  The classes are, in the spirit of Go's sizeclasses.go:
 *
 *   8, 16, 24, ..., 128                  every 8 bytes
 *   then, in each power-of-two interval (2^k, 2^(k+1)], 8 evenly spaced
 *   sizes: step 2^k / 8 (144, 160, ... 256, 288, ... 32768).
 *
 * Bounds this guarantees (checked by tests/test_heap.c):
 *   - internal waste (class size - request) / class size < 12.5% for any
 *     request over 128 bytes, and at most 7 bytes below that (8-byte
 *     alignment);
 *   - tail waste: each class's span is the smallest number of pages whose
 *     unusable tail is at most 1/8 of the span;
 *   - every span holds at most TC_MAX_SPAN_OBJS objects.
 * That gives 81 classes including class 0, which stands for "large": an
 * object of its own span, rounded up to whole pages.
 *
 * Lookup: requests up to 1024 bytes index a table by (size+7)/8, larger
 * ones by (size+127)/128, so tc_size_to_class is two loads.
 */
#include "config.h"

#include <assert.h>
#include <pthread.h>

#include "heap/heap.h"

int tc_nclasses;
tc_sizeclass tc_classes[TC_MAX_CLASSES];
uint8_t tc_class_by8[1024 / 8 + 1];
uint8_t tc_class_by128[(TC_MAX_SMALL - 1024) / 128 + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add_class(uint32_t size)
{
	uint32_t npages = 1;
	for (;;) {
		uint32_t span = npages * TC_PAGE_SIZE;
		if (span >= size && (span % size) * 8 <= span)
			break;
		npages++;
	}
	tc_sizeclass *c = &tc_classes[tc_nclasses++];
	c->size = size;
	c->npages = npages;
	c->nelems = npages * TC_PAGE_SIZE / size;
	/* offset * divmul >> 32 == offset / size for every offset inside the
	 * span: the rounding error of divmul is < 1/size, which scaled by an
	 * offset below 2^32/size... checked exhaustively by the tests. */
	c->divmul = (uint32_t)(UINT32_MAX / size + 1);
	assert(c->nelems <= TC_MAX_SPAN_OBJS);
}

static void build(void)
{
	tc_nclasses = 1; /* class 0: large */
	tc_classes[0].size = 0;
	for (uint32_t s = 8; s <= 128; s += 8)
		add_class(s);
	for (uint32_t lo = 128; lo < TC_MAX_SMALL; lo *= 2)
		for (uint32_t s = lo + lo / 8; s <= lo * 2; s += lo / 8)
			add_class(s);
	assert(tc_nclasses <= TC_MAX_CLASSES);
	int c = 1;
	for (uint32_t i = 0; i <= 1024 / 8; i++) {
		while (tc_classes[c].size < i * 8)
			c++;
		tc_class_by8[i] = (uint8_t)c;
	}
	for (uint32_t i = 0; i <= (TC_MAX_SMALL - 1024) / 128; i++) {
		uint32_t size = 1024 + i * 128;
		while (tc_classes[c].size < size)
			c++;
		tc_class_by128[i] = (uint8_t)c;
	}
}

void tc_sizeclass_init(void)
{
	pthread_once(&once, build);
}

/* Public wrappers (include/tricolor.h). */
int tc_nsizeclasses(void)
{
	tc_sizeclass_init();
	return tc_nclasses;
}

size_t tc_sizeclass_size(int cls)
{
	tc_sizeclass_init();
	return cls > 0 && cls < tc_nclasses ? tc_classes[cls].size : 0;
}

size_t tc_sizeclass_npages(int cls)
{
	tc_sizeclass_init();
	return cls > 0 && cls < tc_nclasses ? tc_classes[cls].npages : 0;
}

int tc_sizeclass_of(size_t bytes)
{
	tc_sizeclass_init();
	return bytes == 0 ? 1 : tc_size_to_class(bytes);
}
