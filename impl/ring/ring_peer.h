/*
 * ring_peer.h -- the in-call hostile peer: a hook at every point where the
 * ring code reads memory that another process can write.
 *
 * The ring's promise is that a peer writing anything into the shared
 * region, at any moment, cannot make us read or write outside it.  A peer
 * that only writes between calls cannot test that promise: the dangerous
 * moment is between two reads inside one call (a field validated, then
 * read again and used).  In fuzzing and test builds (the `ring_peer_hooked`
 * library, compiled with IPCCONF_RING_PEER_HOOK) every such read is
 * preceded by RING_PEER(point, region): when a hook is installed it runs
 * there, in the calling thread, and may rewrite any byte of the region.
 * No threads, so a finding replays exactly.  In every other build the
 * macro is empty and costs nothing.
 *
 * The points name where the read is, so a harness can choose (from its
 * input) at which read it strikes; `region` is the start of the ring
 * header (struct ring_hdr), whatever the caller mapped around it.
 */
#ifndef IPCCONF_RING_PEER_H
#define IPCCONF_RING_PEER_H

enum ring_peer_point {
	RING_PEER_ATTACH_HEADER,  /* ring_attach()/ring_check(): identity and geometry */
	RING_PEER_CAPACITY,       /* before the capacity word is read */
	RING_PEER_COUNTERS,       /* before head, tail (or, record mode, gone) is read */
	RING_PEER_RECORD_HEADER,  /* record mode: before a record header is copied out */
	RING_PEER_DATA,           /* between the reads of a data copy */
	RING_PEER_POINT_COUNT
};

#ifdef IPCCONF_RING_PEER_HOOK
/* Installed by the harness; NULL (the default) means no peer. */
extern void (*ring_peer_hook)(enum ring_peer_point point, void *region);
#define RING_PEER(point, region)                                    \
	do {                                                        \
		if (ring_peer_hook != NULL)                         \
			ring_peer_hook((point), (void *)(region));  \
	} while (0)
#else
#define RING_PEER(point, region) ((void)0)
#endif

#endif /* IPCCONF_RING_PEER_H */
