/* The oracle of mode_model.h: who owns each side, and what its mode word may be. */
#include "fuzz/shm_ring_adaptive/mode_model.h"

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/shm_ring_hostile/ring_layout.h"

static uint32_t word_at(const unsigned char *region, enum mode_side side)
{
	return layout_get32(region + (side == MODE_PRODUCERS ? OFF_P_MODE : OFF_C_MODE));
}

static bool installed_before(const struct mode_model *m, enum mode_side side, uint32_t w)
{
	for (unsigned i = 0; i < m->ninstalled[side]; i++)
		if (m->installed[side][i] == w)
			return true;
	return false;
}

static void remember(struct mode_model *m, enum mode_side side, uint32_t w)
{
	if (m->ninstalled[side] < MODE_MAX_WORDS)
		m->installed[side][m->ninstalled[side]++] = w;
}

static void take(struct mode_model *m, enum mode_side side)
{
	m->owner[side] = MODE_NO_VIEW;
	m->exclusive[side] = false;
	m->change[side] = WORD_SHARED;
}

void mode_init(struct mode_model *m, const unsigned char *region)
{
	for (int s = 0; s < MODE_SIDES; s++) {
		m->word[s] = word_at(region, (enum mode_side)s);
		/* A ring nobody has claimed yet: no side can be EXCLUSIVE. */
		FUZZ_CHECK(!(m->word[s] & MODE_EXCLUSIVE_BIT));
		m->owner[s] = MODE_NO_VIEW;
		m->exclusive[s] = false;
		m->change[s] = WORD_SAME;
		m->ninstalled[s] = 0;
	}
}

void mode_attempt(struct mode_model *m, enum mode_side side, int view, bool empty)
{
	if (m->owner[side] == view)
		return; /* the owner's fast path: no lock, no change */
	if (empty)
		m->change[side] = WORD_SAME_OR_SHARED;
	else
		take(m, side); /* GOING SHARED: whoever owned it, if anyone */
}

int mode_claim(struct mode_model *m, enum mode_side side, int view, bool yes)
{
	if (m->owner[side] == view)
		return 1; /* ours already: nothing changes, sole() or not */
	if (!yes)
		return 0;
	m->owner[side] = view;
	m->exclusive[side] = true;
	m->change[side] = WORD_NEW_EXCLUSIVE;
	return 1;
}

void mode_share(struct mode_model *m, enum mode_side side)
{
	take(m, side);
}

void mode_resize(struct mode_model *m)
{
	take(m, MODE_PRODUCERS);
	take(m, MODE_CONSUMERS);
}

void mode_reattach(struct mode_model *m, int view)
{
	/* The claim was the old view's; its word stays installed, owned by nobody. */
	for (int s = 0; s < MODE_SIDES; s++)
		if (m->owner[s] == view)
			m->owner[s] = MODE_NO_VIEW;
}

void mode_judge_words(struct mode_model *m, const unsigned char *region)
{
	for (int i = 0; i < MODE_SIDES; i++) {
		enum mode_side s = (enum mode_side)i;
		uint32_t w = word_at(region, s);
		bool excl = w & MODE_EXCLUSIVE_BIT;

		switch (m->change[s]) {
		case WORD_SAME:
			FUZZ_CHECK(w == m->word[s]);
			break;
		case WORD_SHARED:
			FUZZ_CHECK(!excl);
			break;
		case WORD_SAME_OR_SHARED:
			FUZZ_CHECK(w == m->word[s] || !excl);
			if (w != m->word[s]) {
				m->owner[s] = MODE_NO_VIEW;
				m->exclusive[s] = false;
			}
			break;
		case WORD_NEW_EXCLUSIVE:
			/* "no EXCLUSIVE word is ever installed twice" */
			FUZZ_CHECK(excl && !installed_before(m, s, w));
			remember(m, s, w);
			break;
		}
		FUZZ_CHECK(excl == m->exclusive[s]);
		m->word[s] = w;
		m->change[s] = WORD_SAME;
	}
}

void mode_follow_words(struct mode_model *m, const unsigned char *region)
{
	for (int i = 0; i < MODE_SIDES; i++) {
		enum mode_side s = (enum mode_side)i;
		uint32_t w = word_at(region, s);

		if ((w & MODE_EXCLUSIVE_BIT) && !installed_before(m, s, w))
			remember(m, s, w);
		m->word[s] = w;
		m->exclusive[s] = w & MODE_EXCLUSIVE_BIT;
		m->owner[s] = MODE_NO_VIEW;
		m->change[s] = WORD_SAME;
	}
}

bool mode_expect_exclusive(const struct mode_model *m, enum mode_side side, int view)
{
	return m->owner[side] == view;
}

unsigned mode_installed_count(const struct mode_model *m, enum mode_side side)
{
	return m->ninstalled[side];
}

uint32_t mode_installed_word(const struct mode_model *m, enum mode_side side, unsigned i)
{
	return m->installed[side][i];
}

void mode_judge_idle(const unsigned char *region)
{
	static const unsigned words[] = {
		OFF_C_LOCK,       OFF_P_LOCK,      OFF_C_MODE_LOCK,  OFF_P_MODE_LOCK,
		OFF_C_MODE_BUSY,  OFF_P_MODE_BUSY, OFF_ROOM_WAITERS, OFF_DATA_WAITERS,
	};

	for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++)
		FUZZ_CHECK(layout_get32(region + words[i]) == 0);
}
