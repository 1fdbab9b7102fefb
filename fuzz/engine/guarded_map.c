/*
 * Guard-paged shared mappings (guarded_map.h): one mapping of the pages
 * the region needs plus one PROT_NONE page each side, the middle made
 * read-write, the region placed against the upper end.
 */
#define _GNU_SOURCE
#include "fuzz/engine/guarded_map.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GUARDED_MAP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(GUARDED_MAP_ASAN)
#define GUARDED_MAP_ASAN 1
#endif

#ifdef GUARDED_MAP_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ALIGN 64u

/* Where a region of len bytes lies in its mapping. */
struct layout {
	size_t page;
	size_t inner;  /* read-write bytes: len rounded up to pages */
	size_t below;  /* slack between the lower guard and the region */
};

static int layout_for(size_t len, struct layout *l)
{
	long page = sysconf(_SC_PAGESIZE);

	if (len == 0 || page <= 0 || len > SIZE_MAX / 2) {
		errno = EINVAL;
		return -1;
	}
	l->page = (size_t)page;
	l->inner = (len + l->page - 1) / l->page * l->page;
	/* As high as 64-byte alignment of the start allows. */
	l->below = (l->inner - len) & ~(size_t)(ALIGN - 1);
	return 0;
}

void *guarded_map(size_t len)
{
	struct layout l;
	unsigned char *base, *inner, *start;

	if (layout_for(len, &l) < 0)
		return NULL;
	base = mmap(NULL, l.inner + 2 * l.page, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	inner = base + l.page;
	if (mprotect(inner, l.inner, PROT_READ | PROT_WRITE) != 0) {
		int saved = errno;

		munmap(base, l.inner + 2 * l.page);
		errno = saved;
		return NULL;
	}
	start = inner + l.below;
	/* ASan knows nothing of this memory: make the slack on both sides a report. */
	POISON(inner, l.below);
	POISON(start + len, l.inner - l.below - len);
	return start;
}

void guarded_unmap(void *p, size_t len)
{
	struct layout l;
	unsigned char *inner;

	if (p == NULL || layout_for(len, &l) < 0)
		return;
	inner = (unsigned char *)p - l.below;
	/* The shadow outlives the mapping: a later mapping at this address must start clean. */
	UNPOISON(inner, l.inner);
	munmap(inner - l.page, l.inner + 2 * l.page);
}
