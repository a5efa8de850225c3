/*
 * binarytrees_malloc.c - the binary-trees benchmark on glibc malloc/free:
 * the no-collector baseline.  One malloc per node (24 bytes requested),
 * every tree freed by a post-order walk when it is dropped, the long-lived
 * one included.  Spec: /work/shared/bench/binary-trees.md; docs in
 * docs/benchmarks.md.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_cnode.h"
#include "bt_common.h"

static node *xmalloc_node(void)
{
	node *n = malloc(sizeof(node));

	if (n == NULL) {
		fprintf(stderr, "binarytrees-malloc: out of memory\n");
		exit(1);
	}
	return n;
}

BT_CNODE_TREES(xmalloc_node)

static void free_tree(node *n)
{
	if (n->left != NULL) {
		free_tree(n->left);
		free_tree(n->right);
	}
	free(n);
}

/* Build, check and drop `count` trees of depth d; the sum of the checks. */
static int64_t run_trees(int64_t count, int depth)
{
	int64_t check = 0;

	for (int64_t i = 0; i < count; i++) {
		node *t = bottom_up_tree(depth);

		check += item_check(t);
		free_tree(t);
	}
	return check;
}

int main(int argc, char **argv)
{
	struct bt_args a;
	uint64_t t0 = bt_now_ns();
	node *stretch, *long_lived;

	bt_parse_args(argc, argv, &a);

	stretch = bottom_up_tree(a.stretch_depth);
	bt_print_stretch(a.stretch_depth, item_check(stretch));
	free_tree(stretch);

	long_lived = bottom_up_tree(a.max_depth);

	for (int d = BT_MIN_DEPTH; d <= a.max_depth; d += 2) {
		int64_t iters = bt_iterations(&a, d);

		bt_print_depth(iters, d,
		               bt_fork_join(&a, d, iters, run_trees,
		                            "binarytrees-malloc"));
	}

	bt_print_long_lived(a.max_depth, item_check(long_lived));
	free_tree(long_lived);

	fflush(stdout);
	fprintf(stderr,
	        "stats: collector=malloc collections=0 pause_total_ms=0 "
	        "pause_max_ms=0 workers=%d wall_ms=%.1f\n",
	        a.workers, (double)(bt_now_ns() - t0) / 1e6);
	return 0;
}
