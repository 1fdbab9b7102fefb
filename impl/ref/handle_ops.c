/*
 * The handle table: close(2), dup(2), O_NONBLOCK and poll(2) for every
 * handle, whatever made it.  Nothing here knows a kind of object: poll
 * asks the object's kind for its events and for the futex word to sleep
 * on (obj.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "impl/ref/handles.h"
#include "impl/ref/tables.h"
#include "impl/sync/sync_barrier.h"
#include "impl/sync/sync_waiter.h"

static int ref_close(const struct ipcconf_iut *self, int h)
{
	(void)self;
	return ref_handle_close(h);
}

static int ref_dup(const struct ipcconf_iut *self, int h)
{
	(void)self;
	return ref_handle_dup(h);
}

static int ref_get_nonblock(const struct ipcconf_iut *self, int h)
{
	struct ref_ofd *f = ref_handle_get(h);
	int on;

	(void)self;
	if (f == NULL)
		return -EBADF;
	on = ref_ofd_nonblock(f);
	ref_handle_put(f);
	return on;
}

static int ref_set_nonblock(const struct ipcconf_iut *self, int h, int on)
{
	struct ref_ofd *f = ref_handle_get(h);

	(void)self;
	if (f == NULL)
		return -EBADF;
	ref_ofd_set_nonblock(f, on != 0);
	ref_handle_put(f);
	return 0;
}

/* What poll(2) reports for an item now; 0 for a negative handle, which poll ignores. */
static short item_revents(const struct ipcconf_poll_item *it, struct ref_ofd *f)
{
	/* A file without a poll method is always ready (the kernel's DEFAULT_POLLMASK). */
	int ready = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

	if (it->handle < 0)
		return 0;
	if (f == NULL)
		return POLLNVAL;
	if (f->obj->ops->poll_events != NULL)
		ready = f->obj->ops->poll_events(f);
	return (short)(ready & (it->events | POLLHUP | POLLERR));
}

/*
 * poll(2).  The wait sleeps on the futex word of the first item that has
 * one; the others are looked at again whenever that sleep ends, at least
 * every SYNC_SLICE_MS (sync_waiter.h), so an event on any but the first item
 * is seen up to that much late.
 *
 * The word's waiters count is raised once nothing was ready, and then
 * fenced (sync_barrier_heavy) *before* the items are looked at again, and
 * it stays raised until poll returns: a pipe end's peer on the SPSC path
 * bumps the word only while the count says someone waits, after a fence
 * that pairs with ours (ring_adaptive.h, WAKE-UPS), so either it sees the
 * count or we see what it did.  Raising the count only around each sleep,
 * after looking, would let such a wake-up slip through for a slice.
 */
static int poll_wait(struct ipcconf_poll_item *items, struct ref_ofd **f, unsigned n,
		     int timeout_ms)
{
	_Atomic uint32_t *word = NULL, *waiters = NULL;
	struct sync_waiter w;
	bool started = false, announced = false;
	int ready;

	for (unsigned i = 0; i < n && word == NULL; i++)
		if (f[i] != NULL && f[i]->obj->ops->poll_word != NULL)
			word = f[i]->obj->ops->poll_word(f[i], items[i].events, &waiters);
	for (;;) {
		/* The word before the state: a change after this read ends the sleep. */
		uint32_t seen = word != NULL ? atomic_load_explicit(word, memory_order_acquire) : 0;
		int r;

		ready = 0;
		for (unsigned i = 0; i < n; i++) {
			items[i].revents = item_revents(&items[i], f[i]);
			ready += items[i].revents != 0;
		}
		if (ready != 0 || timeout_ms == 0)
			break;
		if (waiters != NULL && !announced) {
			atomic_fetch_add_explicit(waiters, 1, memory_order_seq_cst);
			sync_barrier_heavy();
			announced = true;
			continue;
		}
		if (!started) {
			sync_waiter_begin(&w, timeout_ms);
			started = true;
		}
		if (word != NULL) {
			/* Already counted (above): no count of its own. */
			r = sync_waiter_wait(&w, word, seen, NULL);
		} else {
			/* Nothing to sleep on (no open handle): a word nobody changes, sliced as usual. */
			_Atomic uint32_t idle = 0;

			r = sync_waiter_wait(&w, &idle, 0, NULL);
		}
		if (r == -ETIMEDOUT)
			break;
		/* poll(2) is never restarted after a handler, SA_RESTART or not. */
		if (r == -EINTR || r == -ERESTART) {
			ready = -EINTR;
			break;
		}
	}
	if (announced)
		atomic_fetch_sub_explicit(waiters, 1, memory_order_relaxed);
	if (started)
		sync_waiter_end(&w);
	return ready;
}

static int ref_poll(const struct ipcconf_iut *self, struct ipcconf_poll_item *items, unsigned n,
		    int timeout_ms)
{
	struct ref_ofd *small[16], **f = small;
	int ready;

	(void)self;
	if (n > 0 && items == NULL)
		return -EFAULT;
	if (n > sizeof(small) / sizeof(small[0])) {
		f = calloc(n, sizeof(*f));
		if (f == NULL)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		f[i] = items[i].handle >= 0 ? ref_handle_get(items[i].handle) : NULL;
	ready = poll_wait(items, f, n, timeout_ms);
	for (unsigned i = 0; i < n; i++)
		if (f[i] != NULL)
			ref_handle_put(f[i]);
	if (f != small)
		free(f);
	return ready;
}

const struct ipcconf_handle_ops ref_handle_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_handle_ops, IPCCONF_HANDLE_CAP_DUP |
								     IPCCONF_HANDLE_CAP_NONBLOCK |
								     IPCCONF_HANDLE_CAP_POLL),
	.close = ref_close,
	.dup = ref_dup,
	.get_nonblock = ref_get_nonblock,
	.set_nonblock = ref_set_nonblock,
	.poll = ref_poll,
};
