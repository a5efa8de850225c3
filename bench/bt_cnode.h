/*
 * bt_cnode.h - the spec's node as a plain C struct, and bottomUpTree and
 * itemCheck over it, for the variants whose allocator hands out raw
 * memory (Boehm's GC_MALLOC, glibc's malloc).  BT_CNODE_TREES(alloc)
 * expands the two functions around the variant's own allocation function,
 * so each variant calls its allocator directly: an indirect call per node
 * would be part of what the benchmark measures.  (tricolor's variant
 * keeps its nodes in the heap through the API and has its own.)
 */
#ifndef BT_CNODE_H
#define BT_CNODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct node {
	struct node *left;
	struct node *right;
	int32_t item;
} node;

_Static_assert(sizeof(node) == 24, "the spec's node is 24 bytes on LP64");

/* bottom_up_tree(depth) builds a tree with one `alloc()` per node, children
 * first; item_check(n) counts its nodes. */
#define BT_CNODE_TREES(alloc)                                                \
	static node *bottom_up_tree(int depth)                               \
	{                                                                    \
		node *l = NULL, *r = NULL, *n;                               \
                                                                             \
		if (depth > 0) {                                             \
			l = bottom_up_tree(depth - 1);                       \
			r = bottom_up_tree(depth - 1);                       \
		}                                                            \
		n = alloc();                                                 \
		n->left = l;                                                 \
		n->right = r;                                                \
		n->item = depth;                                             \
		return n;                                                    \
	}                                                                    \
                                                                             \
	static int64_t item_check(const node *n)                             \
	{                                                                    \
		if (n->left == NULL)                                         \
			return 1;                                            \
		return 1 + item_check(n->left) + item_check(n->right);       \
	}

#endif /* BT_CNODE_H */
