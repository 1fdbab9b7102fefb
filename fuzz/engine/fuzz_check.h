/*
 * fuzz_check.h -- FUZZ_CHECK(cond): a harness's property check.
 *
 * A failed check must look like a crash to every engine (libFuzzer, AFL++,
 * the replay test), so it prints what failed and aborts.  Not assert():
 * the check must also hold in optimised builds, where NDEBUG may be set.
 */
#ifndef IPCCONF_FUZZ_ENGINE_FUZZ_CHECK_H
#define IPCCONF_FUZZ_ENGINE_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
			        #cond);                                                  \
			abort();                                                         \
		}                                                                        \
	} while (0)

#endif
