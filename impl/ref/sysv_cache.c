/* Each process's cache of mapped System V objects: see sysv_cache.h. */
#include "impl/ref/sysv_cache.h"

#include <stddef.h>

struct sysv_cached *sysv_cache_take(struct sysv_cache *c, int id)
{
	for (struct sysv_cached *e = c->head; e != NULL; e = e->next) {
		if (e->id == id && !e->stale) {
			e->refs++;
			e->used = ++c->clock;
			return e;
		}
	}
	return NULL;
}

struct sysv_cached *sysv_cache_insert(struct sysv_cache *c, struct sysv_cached *e,
				      struct sysv_cached **loser)
{
	struct sysv_cached *have = sysv_cache_take(c, e->id);

	*loser = NULL;
	if (have != NULL) {
		*loser = e;
		return have;
	}
	e->next = c->head;
	c->head = e;
	e->refs = 1;
	e->used = ++c->clock;
	return e;
}

static bool idle(struct sysv_cache *c, struct sysv_cached *e)
{
	return e->refs == 0 && (c->pinned == NULL || !c->pinned(e));
}

struct sysv_cached *sysv_cache_put(struct sysv_cache *c, struct sysv_cached *e)
{
	struct sysv_cached *dropped = NULL;

	if (e != NULL && e->refs > 0)
		e->refs--;
	for (;;) {
		struct sysv_cached **victim = NULL;
		unsigned n_idle = 0;

		for (struct sysv_cached **pp = &c->head; *pp != NULL; pp = &(*pp)->next) {
			if (!idle(c, *pp))
				continue;
			if ((*pp)->stale) {
				victim = pp;
				n_idle = SYSV_CACHE_KEEP + 1;
				break;
			}
			n_idle++;
			if (victim == NULL || (*pp)->used < (*victim)->used)
				victim = pp;
		}
		if (victim == NULL || n_idle <= SYSV_CACHE_KEEP)
			return dropped;
		struct sysv_cached *v = *victim;

		*victim = v->next;
		if (c->unlist != NULL)
			c->unlist(v);
		v->next = dropped;
		dropped = v;
	}
}

void sysv_cache_unmap_all(struct sysv_cache *c, struct sysv_cached *dropped)
{
	while (dropped != NULL) {
		struct sysv_cached *next = dropped->next;

		c->unmap(dropped);
		dropped = next;
	}
}
