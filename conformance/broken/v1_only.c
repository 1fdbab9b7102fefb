/*
 * Not an implementation: a plug-in as ipcconf ABI 1 built them, exporting
 * only `ipcconf_iut_v1`, to test that the loader names the version it was
 * built for.  It does not include ipcconf/iut.h (which is ABI 2 now): the
 * v1 table's head is written out here, as an old plug-in compiled it.
 */
#include <stddef.h>
#include <stdint.h>

/* The start of ABI 1's struct ipcconf_iut; its table pointers are all NULL here. */
struct v1_iut {
	uint32_t abi_version; /* 1 */
	uint32_t struct_size;
	const char *name;
	const char *description;
	uint64_t caps;
	const void *tables[9]; /* stream, pipe, fifo, then six reserved */
};

static const struct v1_iut v1 = {
	.abi_version = 1,
	.struct_size = sizeof(struct v1_iut),
	.name = "v1-only",
	.description = "a plug-in built against ipcconf ABI 1",
};

const struct v1_iut *ipcconf_iut_v1(void);
const struct v1_iut *ipcconf_iut_v1(void) { return &v1; }
