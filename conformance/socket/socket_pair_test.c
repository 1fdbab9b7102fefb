/*
 * Socket clauses: a connected pair is two-way (seed:K3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_support.h"

/*
 * seed:K3 (sockets are two-way); socketpair(2): "The two sockets are
 * indistinguishable"; unix(7).  Checked: on a socketpair each end sends a
 * different message and each end receives exactly the other's.
 */
CLAUSE(socket_pair_both_directions,
       .id = "socket.pair.both_directions",
       .title = "each end of a stream socketpair sends to and receives from the other",
       .cites = "seed:K3; POSIX.1-2017 XSH socketpair(); socketpair(2); unix(7)")
{
	int e[2];
	char got[8];
	socket_pair(t, SOCK_STREAM, e);
	socket_send_all(t, e[0], "ping", 4, "end 0 sends");
	socket_send_all(t, e[1], "pong!", 5, "end 1 sends");
	socket_recv_exact(t, e[1], got, 4, "end 1 receives end 0's message");
	CHECK_MEM(t, got, "ping", 4, "what end 1 received");
	socket_recv_exact(t, e[0], got, 5, "end 0 receives end 1's message");
	CHECK_MEM(t, got, "pong!", 5, "what end 0 received");
}
