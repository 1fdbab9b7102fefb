/* Holder sets: see holders.h. */
#define _GNU_SOURCE
#include "impl/ref/holders.h"

#include <errno.h>
#include <unistd.h>

#include "impl/sync/sync_alive.h"

#define COUNT_MAX 0xffffu

static uint32_t holder_of(uint64_t w) { return (uint32_t)w; }
static unsigned readers_of(uint64_t w) { return (unsigned)(w >> 32) & COUNT_MAX; }
static unsigned writers_of(uint64_t w) { return (unsigned)(w >> 48) & COUNT_MAX; }

static uint64_t make_word(uint32_t holder, unsigned readers, unsigned writers)
{
	if (readers == 0 && writers == 0)
		return 0;
	return holder | (uint64_t)readers << 32 | (uint64_t)writers << 48;
}

static pid_t pid_of(uint32_t holder)
{
	return (pid_t)(holder & ~REF_HOLDER_PENDING);
}

static bool holder_alive(uint32_t holder)
{
	pid_t pid = pid_of(holder);

	return pid == getpid() || sync_process_alive(pid);
}

/*
 * Every access is seq_cst: a holder's last pushes happen before its
 * count drops (release), and a peer that sees the drop (acquire) sees
 * those pushes too, so end-of-file never overtakes data.
 */
static bool cas(struct ref_holders *hs, int idx, uint64_t *expect, uint64_t want)
{
	return atomic_compare_exchange_strong(&hs->slot[idx], expect, want);
}

int holders_claim(struct ref_holders *hs, uint32_t holder, unsigned readers, unsigned writers)
{
	uint64_t want = make_word(holder, readers, writers);

	if (readers > COUNT_MAX || writers > COUNT_MAX || want == 0)
		return -EMFILE;
	for (int i = 0; i < REF_SLOTS; i++) {
		uint64_t cur = 0;

		if (atomic_load(&hs->slot[i]) == 0 && cas(hs, i, &cur, want))
			return i;
	}
	/* Full: take over the slot of a holder that died without closing. */
	for (int i = 0; i < REF_SLOTS; i++) {
		uint64_t cur = atomic_load(&hs->slot[i]);

		if (cur != 0 && !holder_alive(holder_of(cur)) && cas(hs, i, &cur, want))
			return i;
	}
	return -EMFILE;
}

int holders_adjust(struct ref_holders *hs, int *idx, int readers, int writers)
{
	uint64_t cur = atomic_load(&hs->slot[*idx]);
	uint64_t want;

	do {
		long r = (long)readers_of(cur) + readers;
		long w = (long)writers_of(cur) + writers;

		if (r > (long)COUNT_MAX || w > (long)COUNT_MAX)
			return -EMFILE;
		/* Below zero only if the word was overwritten; zero is the safe reading. */
		want = make_word(holder_of(cur), r < 0 ? 0 : (unsigned)r, w < 0 ? 0 : (unsigned)w);
	} while (!cas(hs, *idx, &cur, want));
	if (want == 0)
		*idx = -1;
	return 0;
}

int holders_add(struct ref_holders *hs, int *idx, uint32_t holder, int readers, int writers)
{
	int i;

	if (*idx >= 0)
		return holders_adjust(hs, idx, readers, writers);
	i = holders_claim(hs, holder, (unsigned)readers, (unsigned)writers);
	if (i < 0)
		return i;
	*idx = i;
	return 0;
}

bool holders_drop(struct ref_holders *hs, int idx, uint32_t holder)
{
	uint64_t cur = atomic_load(&hs->slot[idx]);

	while (cur != 0 && holder_of(cur) == holder)
		if (cas(hs, idx, &cur, 0))
			return true;
	return false;
}

bool holders_rename(struct ref_holders *hs, int idx, uint32_t from, uint32_t to)
{
	uint64_t cur = atomic_load(&hs->slot[idx]);

	while (cur != 0 && holder_of(cur) == from) {
		uint64_t want = make_word(to, readers_of(cur), writers_of(cur));

		if (cas(hs, idx, &cur, want))
			return true;
	}
	return false;
}

bool holders_held_by(const struct ref_holders *hs, int idx, uint32_t holder)
{
	uint64_t w = atomic_load(&((struct ref_holders *)hs)->slot[idx]);

	return w != 0 && holder_of(w) == holder;
}

static bool counts(uint64_t w, unsigned which)
{
	return ((which & HOLDER_READERS) && readers_of(w) != 0) ||
	       ((which & HOLDER_WRITERS) && writers_of(w) != 0);
}

bool holders_any(struct ref_holders *hs, unsigned which)
{
	pid_t self = getpid();
	bool others = false;

	/* Ourselves first: no liveness check when this process holds such an end. */
	for (int i = 0; i < REF_SLOTS; i++) {
		uint64_t w = atomic_load(&hs->slot[i]);

		if (!counts(w, which))
			continue;
		if (pid_of(holder_of(w)) == self)
			return true;
		others = true;
	}
	if (!others)
		return false;
	for (int i = 0; i < REF_SLOTS; i++) {
		uint64_t w = atomic_load(&hs->slot[i]);

		if (!counts(w, which))
			continue;
		if (sync_process_alive(pid_of(holder_of(w))))
			return true;
		/* Died holding it: free the slot, so that nobody pays to ask again. */
		cas(hs, i, &w, 0);
	}
	return false;
}

bool holders_only(struct ref_holders *hs, unsigned which, uint32_t holder)
{
	bool held = false;

	for (int i = 0; i < REF_SLOTS; i++) {
		uint64_t w = atomic_load(&hs->slot[i]);

		if (!counts(w, which))
			continue;
		if (holder_of(w) == holder) {
			held = true;
			continue;
		}
		if (holder_alive(holder_of(w)))
			return false;
		cas(hs, i, &w, 0);
	}
	return held;
}

void holders_forget_dead(struct ref_holders *hs)
{
	for (int i = 0; i < REF_SLOTS; i++) {
		uint64_t w = atomic_load(&hs->slot[i]);

		if (w != 0 && !holder_alive(holder_of(w)))
			cas(hs, i, &w, 0);
	}
}
