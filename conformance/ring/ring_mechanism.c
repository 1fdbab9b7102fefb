/*
 * The `ring` mechanism: the contract of the shared-memory ring that `ref`
 * is built on (impl/ring/ring.h, ring_record.h), as clauses.  The ring is
 * not part of the interface any implementation offers: it is ref's own
 * structure, linked into ipcconf with ref, so its clauses judge it only
 * when ref is the implementation being judged, and SKIP otherwise.
 */
#include <string.h>

#include "conformance/harness/mechanism.h"

static const char *ring_not_judged(const struct ipcconf_iut *iut)
{
	if (iut->name && (strcmp(iut->name, "ref") == 0 || strcmp(iut->name, "ref-small") == 0))
		return NULL;
	return "the ring is ref's own shared-memory structure (impl/ring): judged with --impl ref only";
}

MECHANISM(ring,
	  .title = "ref's shared-memory ring",
	  .order = 90,
	  .tables = 0,
	  .not_judged = ring_not_judged);
