#define _GNU_SOURCE
#include "impl/ref/children.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Reads the whole file, growing the buffer: a busy parent has many children. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (buf == NULL || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t k;

		if (n + 1 >= cap) {
			char *grown = realloc(buf, cap * 2);

			if (grown == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k < 0) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		n += (size_t)k;
	}
	close(fd);
	if (buf != NULL)
		buf[n] = '\0';
	*len = n;
	return buf;
}

void children_read(struct children *c)
{
	char path[64];
	size_t len, count = 0;
	char *text, *p, *end;

	c->pid = NULL;
	c->n = 0;
	c->known = false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
	text = slurp(path, &len);
	if (text == NULL)
		return;
	/* At most one pid per two characters ("1 "). */
	c->pid = malloc((len / 2 + 1) * sizeof(pid_t));
	if (c->pid == NULL) {
		free(text);
		return;
	}
	for (p = text;; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		c->pid[count++] = (pid_t)v;
	}
	free(text);
	c->n = count;
	c->known = true;
}

void children_free(struct children *c)
{
	free(c->pid);
	c->pid = NULL;
	c->n = 0;
	c->known = false;
}

static bool contains(const struct children *c, pid_t pid)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->pid[i] == pid)
			return true;
	return false;
}

pid_t children_new_one(const struct children *before, const struct children *after)
{
	pid_t found = 0;

	if (!before->known || !after->known)
		return -1;
	for (size_t i = 0; i < after->n; i++) {
		if (contains(before, after->pid[i]))
			continue;
		if (found != 0)
			return -1;
		found = after->pid[i];
	}
	return found;
}
