#define _GNU_SOURCE
#include "conformance/harness/expect.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipcconf_read_expectations(const char *path, struct ipcconf_expectation **out,
			      char *err, size_t errsize)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errsize, "cannot read expectations file %s: %s", path, strerror(errno));
		return -1;
	}
	struct ipcconf_expectation *list = NULL;
	int n = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		char *id_end = p;
		while (*id_end && !isspace((unsigned char)*id_end))
			id_end++;
		char *reason = id_end;
		while (isspace((unsigned char)*reason))
			reason++;
		char *end = reason + strlen(reason);
		while (end > reason && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*reason == '\0') {
			snprintf(err, errsize, "%s:%d: '%.*s' has no reason; write the clause id, then why it is expected to fail",
				 path, lineno, (int)(id_end - p), p);
			free(line);
			fclose(f);
			return -1;
		}
		*id_end = '\0';
		struct ipcconf_expectation *grown = realloc(list, (size_t)(n + 1) * sizeof *list);
		if (!grown)
			abort();
		list = grown;
		list[n].id = strdup(p);
		list[n].reason = strdup(reason);
		list[n].intermittent = !strncmp(reason, IPCCONF_INTERMITTENT, strlen(IPCCONF_INTERMITTENT));
		list[n].used = 0;
		n++;
	}
	free(line);
	fclose(f);
	*out = list;
	return n;
}
