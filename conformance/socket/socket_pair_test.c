/*
 * Socket clauses: a connected pair is two-way (seed:K3).  Each end of a
 * socketpair of every type sends and receives; both directions carry
 * megabytes at the same time without waiting on each other; and a pair
 * made by listen, connect and accept is two-way as well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "conformance/harness/clause.h"
#include "conformance/socket/socket_boundary_support.h"
#include "conformance/socket/socket_support.h"

#define PAIR_CITES "seed:K3; POSIX.1-2017 XSH socketpair(); socketpair(2); socket(2); unix(7)"

/*
 * seed:K3 (a socket is an endpoint for two-way communication);
 * socketpair(2): "creates an unnamed pair of connected sockets" and "The
 * two sockets are indistinguishable"; socket(2): SOCK_STREAM and
 * SOCK_SEQPACKET are "two-way"; unix(7) offers all three types in the
 * UNIX domain.  Checked, for each type: end 0 sends one message and end 1
 * another, then each end receives exactly the other's (a stream's bytes
 * gathered over any short receives; a datagram or record whole, in one
 * receive with room for more).
 */
static const struct ipcconf_clause socket_pair_both_directions[] = {
	ROW(.id = "socket.pair.both_directions",
	    .title = "each end of a stream socketpair sends to and receives from the other",
	    .cites = PAIR_CITES, .arg = &(const int){ SOCK_STREAM }),
	ROW(.id = "socket.pair.both_directions_dgram",
	    .title = "each end of a datagram socketpair sends to and receives from the other",
	    .cites = PAIR_CITES, USES(SOCKET, IPCCONF_SOCKET_CAP_DGRAM),
	    .arg = &(const int){ SOCK_DGRAM }),
	ROW(.id = "socket.pair.both_directions_seqpacket",
	    .title = "each end of a seqpacket socketpair sends to and receives from the other",
	    .cites = PAIR_CITES, USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET),
	    .arg = &(const int){ SOCK_SEQPACKET }),
};

CLAUSE_TABLE(socket_pair_both_directions)
{
	int type = *(const int *)t->clause->arg;
	int e[2];
	socket_pair(t, type, e);
	boundary_exchange(t, type, e);
}

/*
 * seed:K3; socket(2): "Sockets of type SOCK_STREAM are full-duplex byte
 * streams"; POSIX.1-2017 XSH 2.10.6 "Socket Types": SOCK_STREAM "provides
 * reliable, sequenced, full-duplex octet streams".  Full-duplex means the
 * two directions are independent: each flows while the other does.
 * Checked: on a stream socketpair two helpers send at the same time, one
 * on each end, several MiB each (4 MiB, or four times what both ends'
 * buffers report holding if that is more, up to 64 MiB: neither send can
 * finish until its reader has taken most of it), while a third helper
 * reads end 1 and the clause reads end 0.  Every process must finish
 * within the clause's bound (a direction that waits for the other, or a
 * shared buffer that fills, is a timeout naming where each one stopped),
 * and each reader must receive exactly the other end's bytes, in order
 * (each direction's bytes differ from the other's at every offset, so a
 * byte that crossed over shows).
 */
CLAUSE(socket_pair_simultaneous_bulk,
       .id = "socket.pair.simultaneous_bulk",
       .title = "both ends of a stream socketpair send megabytes at once, each read by the other: both arrive intact, neither waits on the other",
       .cites = "seed:K3; POSIX.1-2017 XSH 2.10.6 Socket Types; socketpair(2); socket(2)",
       .needs = IPCCONF_CAP_FORK_INHERIT,
       .timeout_ms = 10000)
{
	int e[2];
	socket_pair(t, SOCK_STREAM, e);
	size_t total = boundary_bulk_size(t, e);
	STEP(t, "%zu bytes each way", total);

	pid_t s0 = ipcconf_fork(t);
	if (s0 == 0) {
		boundary_bulk_send(t, e[0], 0, total, "end 0's sender");
		ipcconf_exit(t);
	}
	pid_t s1 = ipcconf_fork(t);
	if (s1 == 0) {
		boundary_bulk_send(t, e[1], 1, total, "end 1's sender");
		ipcconf_exit(t);
	}
	pid_t r1 = ipcconf_fork(t);
	if (r1 == 0) {
		boundary_bulk_recv(t, e[1], 0, total, "end 1's reader (end 0's bytes)");
		ipcconf_exit(t);
	}
	boundary_bulk_recv(t, e[0], 1, total, "end 0's reader (end 1's bytes)");
	ipcconf_join(t, r1, "end 1's reader");
	ipcconf_join(t, s0, "end 0's sender");
	ipcconf_join(t, s1, "end 1's sender");
}

/*
 * seed:K3; POSIX.1-2017 XSH accept(): the accepted socket is connected
 * to the one that called connect(); XSH 2.10.6: stream sockets are
 * full-duplex; socket(2): SOCK_STREAM and SOCK_SEQPACKET are "two-way";
 * unix(7).  Checked, for stream and seqpacket: on a pair made by listen,
 * connect and accept (not socketpair), the connecting end sends one
 * message and the accepted end another, and each receives exactly the
 * other's.
 */
static const struct ipcconf_clause socket_pair_connected[] = {
	ROW(.id = "socket.pair.connected_both_directions",
	    .title = "each end of a stream connection made by connect and accept sends to and receives from the other",
	    .cites = "seed:K3; POSIX.1-2017 XSH accept(), connect(); POSIX.1-2017 XSH 2.10.6 Socket Types; socket(2); unix(7)",
	    .arg = &(const int){ SOCK_STREAM }),
	ROW(.id = "socket.pair.connected_both_directions_seqpacket",
	    .title = "each end of a seqpacket connection made by connect and accept sends to and receives from the other",
	    .cites = "seed:K3; POSIX.1-2017 XSH accept(), connect(); socket(2); unix(7)",
	    USES(SOCKET, IPCCONF_SOCKET_CAP_SEQPACKET),
	    .arg = &(const int){ SOCK_SEQPACKET }),
};

CLAUSE_TABLE(socket_pair_connected)
{
	int type = *(const int *)t->clause->arg;
	int e[2];
	STEP(t, "listen, connect and accept (%s)", socket_type_name(type));
	socket_connected(t, type, e);
	boundary_exchange(t, type, e);
}
