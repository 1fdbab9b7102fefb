/*
 * guarded_map_test: the promises of guarded_map.h -- a 64-byte aligned,
 * zeroed, shared region whose every byte is usable, an access one byte
 * past its end faults when len is a multiple of 64 (always under ASan),
 * one byte below its start faults when there is no slack below (always
 * under ASan), and unmapping leaves no poison behind for the next mapping.
 * Each stray access is made in a forked child, which must not survive it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/engine/guarded_map.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TEST_ASAN)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
static const int asan = 1;
#else
static const int asan = 0;
#endif

static int failures;

#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "guarded_map_test: FAIL (%s): ", #cond);  \
			fprintf(stderr, __VA_ARGS__);                             \
			fprintf(stderr, "\n");                                    \
			failures++;                                               \
		}                                                                 \
	} while (0)

/* Whether a child that reads p[off] survives it. */
static int survives_read(const unsigned char *p, ptrdiff_t off)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		volatile const unsigned char *v = p;

		(void)v[off];
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void check_len(size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p = guarded_map(len);
	int status;
	pid_t pid;

	CHECK(p != NULL, "len %zu", len);
	if (p == NULL)
		return;
	CHECK(((uintptr_t)p & 63) == 0, "len %zu: start %p not 64-byte aligned", len, (void *)p);
	for (size_t i = 0; i < len; i++) {
		CHECK(p[i] == 0, "len %zu: byte %zu not zero", len, i);
		if (p[i] != 0)
			break;
	}
	/* Shared: a child's writes are seen here. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (size_t i = 0; i < len; i++)
			p[i] = (unsigned char)(i + 1);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "len %zu: child writing the region", len);
	CHECK(p[0] == 1 && p[len - 1] == (unsigned char)len, "len %zu: writes not shared", len);
	CHECK(survives_read(p, (ptrdiff_t)len - 1), "len %zu: last byte unreadable", len);
	if (asan || len % 64 == 0)
		CHECK(!survives_read(p, (ptrdiff_t)len), "len %zu: read past the end not caught",
		      len);
	if (asan || len % (size_t)page == 0)
		CHECK(!survives_read(p, -1), "len %zu: read below the start not caught", len);
	guarded_unmap(p, len);
}

int main(void)
{
	static const size_t lens[] = { 1, 63, 64, 100, 512, 4096, 4352, 8192 + 64 };

	fprintf(stderr, "guarded_map_test: %s; faults and sanitizer reports below are expected\n",
		asan ? "ASan build" : "no ASan");
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
		check_len(lens[i]);
	/* Twice the same size: the second mapping (often at the same address) starts clean. */
	for (int round = 0; round < 2; round++)
		check_len(4352);
	errno = 0;
	CHECK(guarded_map(0) == NULL && errno == EINVAL, "len 0 accepted");
	guarded_unmap(NULL, 64);
	if (failures == 0)
		printf("guarded_map_test: all checks passed\n");
	return failures == 0 ? 0 : 1;
}
