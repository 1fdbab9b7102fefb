/*
 * A clause whose id names no registered mechanism: a binary that carries
 * it must refuse to list or run anything (cli_test.sh), rather than list
 * it and never run it.
 */
#include "conformance/harness/clause.h"

CLAUSE(nosuch_read_anything,
       .id = "nosuch.read.anything",
       .title = "a clause of a mechanism that is not registered",
       .cites = "ipcconf self-test")
{
	CHECK(t, 1, "never runs");
}
