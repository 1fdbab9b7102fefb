/*
 * The hook variable of ring_peer.h.  Compiled only into the
 * `ring_peer_hooked` library: the production library has no hook, and
 * nothing to install one into.
 */
#include "impl/ring/ring_peer.h"

#ifndef IPCCONF_RING_PEER_HOOK
#error "ring_peer.c belongs to the ring_peer_hooked library only (impl/ring/BUILD)"
#endif

void (*ring_peer_hook)(enum ring_peer_point point, void *region);
