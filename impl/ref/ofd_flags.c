/* Shared status flags of open descriptions: see ofd_flags.h. */
#define _GNU_SOURCE
#include "impl/ref/ofd_flags.h"

#define USERS_MASK 0xffffu
#define NONBLOCK_BIT (UINT32_C(1) << 16)

int ofd_flags_claim(struct ref_ofd_flags *t, bool nonblock)
{
	uint32_t want = 1 | (nonblock ? NONBLOCK_BIT : 0);

	for (int i = 0; i < REF_OFDS; i++) {
		uint32_t cur = 0;

		if (atomic_load(&t->word[i]) == 0 &&
		    atomic_compare_exchange_strong(&t->word[i], &cur, want))
			return i;
	}
	return -1;
}

void ofd_flags_hold(struct ref_ofd_flags *t, int idx, int delta)
{
	uint32_t cur = atomic_load(&t->word[idx]);
	uint32_t want;

	do {
		long users = (long)(cur & USERS_MASK) + delta;

		/* Out of range only if the word was overwritten: keep it (leak) or free it. */
		if (users > (long)USERS_MASK)
			return;
		want = users <= 0 ? 0 : (cur & ~USERS_MASK) | (uint32_t)users;
	} while (!atomic_compare_exchange_weak(&t->word[idx], &cur, want));
}

bool ofd_flags_nonblock(const struct ref_ofd_flags *t, int idx)
{
	return (atomic_load(&((struct ref_ofd_flags *)t)->word[idx]) & NONBLOCK_BIT) != 0;
}

void ofd_flags_set_nonblock(struct ref_ofd_flags *t, int idx, bool on)
{
	if (on)
		atomic_fetch_or(&t->word[idx], NONBLOCK_BIT);
	else
		atomic_fetch_and(&t->word[idx], ~NONBLOCK_BIT);
}

void ofd_flags_reset(struct ref_ofd_flags *t)
{
	for (int i = 0; i < REF_OFDS; i++)
		atomic_store(&t->word[i], 0);
}
