#define _GNU_SOURCE
#include "conformance/harness/proc_state.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char ipcconf_proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: the state follows the last ')'. */
	char *close_paren = strrchr(buf, ')');
	if (!close_paren || close_paren[1] != ' ' || close_paren[2] == '\0')
		return 0;
	return close_paren[2];
}
