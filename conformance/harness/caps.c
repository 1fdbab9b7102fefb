/*
 * caps.c -- a clause's own capabilities, by raw capget/capset: rules about
 * privilege ("without CAP_SYS_RESOURCE", "a user who bypasses no file
 * permission") are checked in helpers that give a capability up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conformance/harness/clause.h"

static int read_caps(struct __user_cap_header_struct *hdr, struct __user_cap_data_struct data[2])
{
	*hdr = (struct __user_cap_header_struct){ .version = _LINUX_CAPABILITY_VERSION_3 };
	memset(data, 0, 2 * sizeof data[0]);
	return (int)syscall(SYS_capget, hdr, data);
}

int ipcconf_has_cap(struct ipcconf_t *t, int cap)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	if (read_caps(&hdr, data) != 0)
		BROKEN(t, "capget failed: %s", strerror(errno));
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

int ipcconf_drop_cap(int cap)
{
	struct __user_cap_header_struct hdr;
	struct __user_cap_data_struct data[2];
	if (read_caps(&hdr, data) != 0)
		return -1;
	uint32_t bit = UINT32_C(1) << (cap % 32);
	data[cap / 32].effective &= ~bit;
	data[cap / 32].permitted &= ~bit;
	data[cap / 32].inheritable &= ~bit;
	return (int)syscall(SYS_capset, &hdr, data);
}
