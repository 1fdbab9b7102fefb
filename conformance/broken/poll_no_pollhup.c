/* Broken: poll never reports POLLHUP (breaks poll(2) on a pipe or FIFO whose writers are gone). */
#include <poll.h>

#include "conformance/broken/wrap.h"

static int poll_without_hup(const struct ipcconf_iut *self, struct ipcconf_poll_item *items,
			    unsigned n, int timeout_ms)
{
	int r = OS->handle->poll(OS, items, n, timeout_ms);
	if (r <= 0)
		return r;
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		items[i].revents &= (short)~POLLHUP;
		ready += items[i].revents != 0;
	}
	return ready;
}

const struct ipcconf_iut *broken_poll_no_pollhup_iut(void)
{
	static struct broken_iut b;
	broken_from_os(&b, "broken-poll-no-pollhup", "poll never reports POLLHUP");
	b.handle.poll = poll_without_hup;
	return &b.iut;
}
