#define _GNU_SOURCE
#include "impl/ref/fifo_name.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

int fifo_identify(const char *path, bool nofollow, struct fifo_id *id)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, nofollow ? AT_SYMLINK_NOFOLLOW : 0,
		  STATX_TYPE | STATX_INO | STATX_CTIME | STATX_BTIME, &stx) != 0)
		return -errno;
	id->mode = stx.stx_mode;
	id->dev_major = stx.stx_dev_major;
	id->dev_minor = stx.stx_dev_minor;
	id->ino = stx.stx_ino;
	if (stx.stx_mask & STATX_BTIME) {
		id->sec = stx.stx_btime.tv_sec;
		id->nsec = stx.stx_btime.tv_nsec;
	} else {
		id->sec = stx.stx_ctime.tv_sec;
		id->nsec = stx.stx_ctime.tv_nsec;
	}
	return 0;
}

bool fifo_same(const struct fifo_id *a, const struct fifo_id *b)
{
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino &&
	       a->sec == b->sec && a->nsec == b->nsec;
}

void fifo_shm_name(const char *prefix, const struct fifo_id *id, char name[FIFO_NAME_MAX])
{
	snprintf(name, FIFO_NAME_MAX, "%s%u.%u-%llu-%lld.%09u", prefix, id->dev_major,
		 id->dev_minor, (unsigned long long)id->ino, (long long)id->sec, id->nsec);
}
