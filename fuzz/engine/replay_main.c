/*
 * The replay engine: the `main` a fuzz target gets when no fuzzing engine
 * is selected.  It feeds every file named on the command line, or found
 * under a directory named there, to LLVMFuzzerTestOneInput once.  This is
 * what turns the committed corpus and every past crash into an ordinary
 * test that runs in each `bazel test //...`, under any sanitizer config.
 *
 * Arguments starting with '-' are engine options (libFuzzer style, e.g.
 * -runs=0) and are ignored, so a launcher can treat all engines alike.
 * Files named README* are documentation, not inputs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static unsigned replayed;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t size;

	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	size = (size_t)st.st_size;
	/* Exactly `size` bytes, so a sanitizer sees any read past the input. */
	buf = malloc(size ? size : 1);
	if (buf == NULL || fread(buf, 1, size, f) != size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	replayed++;
	return 0;
}

static int replay_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		const char *base = strrchr(path, '/');

		base = base ? base + 1 : path;
		return strncmp(base, "README", 6) == 0 ? 0 : replay_file(path);
	}

	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort), rc = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *child;

		if (names[i]->d_name[0] != '.' &&
		    asprintf(&child, "%s/%s", path, names[i]->d_name) >= 0) {
			rc |= replay_path(child);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			rc |= replay_path(argv[i]);
	fprintf(stderr, "replay: %u input(s) ran without a crash\n", replayed);
	/* No input at all means a broken corpus glob, not success. */
	if (replayed == 0) {
		fprintf(stderr, "replay: no inputs given\n");
		return 1;
	}
	return rc == 0 ? 0 : 1;
}
