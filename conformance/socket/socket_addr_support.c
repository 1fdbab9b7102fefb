/*
 * socket_addr_support.c -- see socket_addr_support.h.
 */
#define _GNU_SOURCE
#include "conformance/socket/socket_addr_support.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/socket/socket_support.h"

socklen_t addr_path_len(const char *path)
{
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

void addr_expect_path(struct ipcconf_t *t, const struct sockaddr_un *got, socklen_t got_len,
		      const char *path, const char *what)
{
	char label[160];
	snprintf(label, sizeof label, "%s: address length", what);
	CHECK_EQ(t, got_len, addr_path_len(path), label);
	snprintf(label, sizeof label, "%s: sun_family", what);
	CHECK_EQ(t, got->sun_family, AF_UNIX, label);
	/* Compare no further than the length said: beyond it nothing is promised. */
	size_t n = strlen(path) + 1;
	size_t have = got_len > offsetof(struct sockaddr_un, sun_path)
			      ? got_len - offsetof(struct sockaddr_un, sun_path) : 0;
	if (have > sizeof got->sun_path)
		have = sizeof got->sun_path;
	CHECK(t, have >= n && memcmp(got->sun_path, path, n) == 0,
	      "%s: sun_path is \"%.*s\" (%zu bytes given), expected \"%s\" and its NUL", what,
	      (int)strnlen(got->sun_path, have), got->sun_path, have, path);
}

void addr_expect_same(struct ipcconf_t *t, const struct sockaddr_un *got, socklen_t got_len,
		      const struct sockaddr_un *want, socklen_t want_len, const char *what)
{
	char label[160];
	snprintf(label, sizeof label, "%s: address length", what);
	CHECK_EQ(t, got_len, want_len, label);
	if (got_len == want_len) {
		snprintf(label, sizeof label, "%s: address bytes", what);
		CHECK_MEM(t, got, want, want_len, label);
	}
}

void addr_expect_unnamed(struct ipcconf_t *t, const struct sockaddr_un *got, socklen_t got_len,
			 const char *what)
{
	char label[160];
	snprintf(label, sizeof label, "%s: address length (sizeof(sa_family_t))", what);
	CHECK_EQ(t, got_len, sizeof(sa_family_t), label);
	snprintf(label, sizeof label, "%s: sun_family", what);
	CHECK_EQ(t, got->sun_family, AF_UNIX, label);
}

int addr_bound(struct ipcconf_t *t, int type, const struct sockaddr_un *sa, socklen_t len)
{
	char what[80];
	int h = iut_socket(t, AF_UNIX, type, 0);
	snprintf(what, sizeof what, "socket(AF_UNIX, %s)", socket_type_name(type));
	REQUIRE_OK(t, h, what);
	REQUIRE_OK(t, iut_bind(t, h, sa, len), "bind of a new socket to a fresh name");
	return h;
}

int addr_connected_to(struct ipcconf_t *t, const struct sockaddr_un *sa, socklen_t len)
{
	int h = iut_socket(t, AF_UNIX, SOCK_STREAM, 0);
	REQUIRE_OK(t, h, "socket(AF_UNIX, SOCK_STREAM) for a client");
	REQUIRE_OK(t, iut_connect(t, h, sa, len), "connect of a client to the listener");
	return h;
}

long long addr_file_mode(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -(long long)errno;
	return (long long)st.st_mode;
}

void addr_make_symlink(struct ipcconf_t *t, const char *target, const char *path)
{
	if (symlink(target, path) != 0)
		BROKEN(t, "symlink(%s, %s): %s", target, path, strerror(errno));
}

void addr_make_regular_file(struct ipcconf_t *t, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		BROKEN(t, "creating the regular file %s: %s", path, strerror(errno));
	close(fd);
}
