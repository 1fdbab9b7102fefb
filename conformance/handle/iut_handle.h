/*
 * iut_handle.h -- calls into the implementation's `handle` table, the
 * operations every handle accepts whatever mechanism made it (iut.h).
 * Each is the table's operation with the implementation's `self`; a clause
 * whose USES() or mechanism names the capability may call it.
 */
#ifndef IPCCONF_CONFORMANCE_IUT_HANDLE_H
#define IPCCONF_CONFORMANCE_IUT_HANDLE_H

#include "conformance/harness/clause.h"

static inline int iut_close(struct ipcconf_t *t, int h)
{
	return t->iut->handle->close(t->self, h);
}

static inline int iut_dup(struct ipcconf_t *t, int h)
{
	return t->iut->handle->dup(t->self, h);
}

static inline int iut_get_nonblock(struct ipcconf_t *t, int h)
{
	return t->iut->handle->get_nonblock(t->self, h);
}

static inline int iut_set_nonblock(struct ipcconf_t *t, int h, int on)
{
	return t->iut->handle->set_nonblock(t->self, h, on);
}

static inline int iut_poll(struct ipcconf_t *t, struct ipcconf_poll_item *items, unsigned n,
			   int timeout_ms)
{
	return t->iut->handle->poll(t->self, items, n, timeout_ms);
}

/* poll(2) of one handle: its revents (0 on timeout), or -errno. */
static inline int iut_poll1(struct ipcconf_t *t, int h, short events, int timeout_ms)
{
	struct ipcconf_poll_item item = { .handle = h, .events = events };
	int r = iut_poll(t, &item, 1, timeout_ms);
	return r < 0 ? r : item.revents;
}

#endif /* IPCCONF_CONFORMANCE_IUT_HANDLE_H */
