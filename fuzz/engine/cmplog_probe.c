/*
 * The CmpLog probe: a harness whose only way in is two 32-bit values
 * compared against the input, one after the other.  Random mutation does
 * not guess 2^64 (or even 2^32) in a minute; AFL++'s input-to-state stage,
 * fed by CmpLog, writes each compared value into the input in a few
 * executions.  So when AFL++ with CmpLog does not reach the abort() below
 * within a minute, its CmpLog is not working, and a campaign relying on it
 * to pass checksums and magic numbers must not pretend otherwise
 * (fuzz/campaign/cmplog_probe.py).  Not a fuzz target of the suite: it
 * has no corpus, and it is meant to crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Values no mutator's table of interesting numbers holds. */
#define PROBE_FIRST 0x9e3779b9u
#define PROBE_SECOND 0x7f4a7c15u

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8 || load_le32(data) != PROBE_FIRST)
		return 0;
	if (load_le32(data + 4) != PROBE_SECOND)
		return 0;
	abort();
}
