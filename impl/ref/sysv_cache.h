/*
 * sysv_cache.h -- each process's cache of mapped System V objects
 * (segment headers, semaphore sets), found by id.
 *
 * Opening and mapping a file per call would cost more than most calls
 * themselves, so a process keeps what it mapped: an entry is taken for a
 * call (refs) and given back after it, and up to SYSV_CACHE_KEEP unused
 * entries stay mapped, least recently used dropped first.  An entry
 * whose object is gone is marked stale: no lookup finds it again, and it
 * is dropped once unused.  A kind may pin entries it still needs although
 * no call uses them (a segment this process has attached).
 *
 * Every function is called with ref_lock() held (fork() holds it across,
 * fork.c), so that a fork child's copy is consistent; none blocks.
 */
#ifndef IPCCONF_REF_SYSV_CACHE_H
#define IPCCONF_REF_SYSV_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#define SYSV_CACHE_KEEP 32

/* Embedded in a kind's entry. */
struct sysv_cached {
	struct sysv_cached *next;
	int id;
	unsigned refs;  /* calls using it now */
	bool stale;     /* its object is gone */
	uint64_t used;  /* the cache's clock when last taken */
};

struct sysv_cache {
	struct sysv_cached *head;
	uint64_t clock;
	/* An unused entry that must stay (NULL: none must). */
	bool (*pinned)(struct sysv_cached *e);
	/* Takes a dropped entry out of the kind's books (locked); then `unmap` frees it. */
	void (*unlist)(struct sysv_cached *e);
	/* Unmaps and frees an entry; called without ref_lock(). */
	void (*unmap)(struct sysv_cached *e);
};

/* The live entry for id, taken (refs + 1), or NULL. */
struct sysv_cached *sysv_cache_take(struct sysv_cache *c, int id);

/*
 * Puts a new entry in, taken once; when another thread put one in for
 * the id meanwhile, that one is taken instead and *loser is the new one
 * (for the caller to unmap after ref_unlock()).  Returns the entry taken.
 */
struct sysv_cached *sysv_cache_insert(struct sysv_cache *c, struct sysv_cached *e,
				      struct sysv_cached **loser);

/*
 * Gives an entry back (refs - 1) and drops unused entries beyond
 * SYSV_CACHE_KEEP and stale ones: returns the list of dropped entries
 * (linked by next) for the caller to unmap after ref_unlock().
 */
struct sysv_cached *sysv_cache_put(struct sysv_cache *c, struct sysv_cached *e);

/* Unmaps the entries sysv_cache_put() dropped.  Unlocked. */
void sysv_cache_unmap_all(struct sysv_cache *c, struct sysv_cached *dropped);

#endif /* IPCCONF_REF_SYSV_CACHE_H */
