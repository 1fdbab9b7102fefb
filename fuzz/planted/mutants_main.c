/*
 * mutants -- runs a fuzz harness on every single mutation (mutate.h) of
 * each input named, and on a random sample of double mutations, and
 * reports every one that crashes: the `main` of <target>_mutants, which
 * fuzz/planted-bug-distance builds (with ASan) in a scratch copy carrying
 * a planted bug.  A planted bug must not be that close to a seed.
 *
 *   mutants [--set=brief|extended] [--doubles=N] [--seed=S] [--dict=FILE]
 *           [--out=DIR] [--max-crashes=K] [--timeout=SECS] [--inputs-only] FILE...
 *
 * Per file: run 0 is the input itself, runs 1..S its S single mutations
 * of the set (mutate.h; the brief set by default),
 * then N doubles (a random single mutation of a random single mutation;
 * the pair is a function of --seed, the file's position and the run, so
 * a run number names its input for good).  Runs go in one child process,
 * as under a fuzzer (state carries over between runs); when the child
 * dies -- a failed check, a sanitizer report, a signal, or a run longer
 * than --timeout -- its run is recorded and a new child carries on after
 * it.  A crashing input is written to DIR/<file>-run<k> with a .txt
 * beside it: the mutations and the end of what the child printed.
 * --inputs-only runs the files as they are (run 0 alone): the replay of
 * corpus and regressions.
 *
 * Prints one line per file: "mutants: FILE: S singles, N doubles, C
 * crashed (input C0, singles C1, doubles C2)" and exits 0 when nothing
 * crashed, 1 when something did, 2 on a usage or I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/planted/mutate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

#define LOG_TAIL 4096

struct options {
	int inputs_only;
	enum mut_set set;
	size_t doubles;
	uint64_t seed;
	const char *out;
	unsigned max_crashes;
	unsigned timeout;
	struct mut_dict dict;
};

static struct options opt = { .set = MUT_BRIEF, .doubles = 20000, .seed = 1, .out = ".", .max_crashes = 10,
			      .timeout = 20 };

/* The run the child is in, shared with the parent: where to resume after a crash. */
static volatile size_t *current_run;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9u;
	z = (z ^ z >> 27) * 0x94d049bb133111ebu;
	return z ^ z >> 31;
}

/* One run's input: 0 the file, then singles, then doubles. */
struct run_input {
	uint8_t *buf;  /* room for n + 2 * MUT_GROWTH */
	uint8_t *tmp;
	size_t len;
	char desc[400];
};

static void make_input(const uint8_t *in, size_t n, size_t file_no, size_t run, size_t singles,
		       struct run_input *ri)
{
	char d1[112], d2[112];

	if (run == 0) {
		memcpy(ri->buf, in, n);
		ri->len = n;
		snprintf(ri->desc, sizeof ri->desc, "the input itself");
	} else if (run <= singles) {
		ri->len = mut_apply(run - 1, in, n, ri->buf, &opt.dict, opt.set, d1, sizeof d1);
		snprintf(ri->desc, sizeof ri->desc, "single mutation %zu: %s", run - 1, d1);
	} else {
		uint64_t s = opt.seed ^ (uint64_t)file_no << 40 ^ (uint64_t)(run - singles - 1);
		size_t first = (size_t)(splitmix(&s) % singles), second, n1;

		n1 = mut_apply(first, in, n, ri->tmp, &opt.dict, opt.set, d1, sizeof d1);
		second = (size_t)(splitmix(&s) % mut_count(n1, &opt.dict, opt.set));
		ri->len = mut_apply(second, ri->tmp, n1, ri->buf, &opt.dict, opt.set, d2,
				    sizeof d2);
		snprintf(ri->desc, sizeof ri->desc, "double mutation %zu, %zu: %s; then %s", first,
			 second, d1, d2);
	}
}

/* The child: runs from..total-1, each input in a buffer of its exact size (as libFuzzer does). */
static void child(const uint8_t *in, size_t n, size_t file_no, size_t from, size_t total,
		  size_t singles, const char *log_path)
{
	struct run_input ri;
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	ri.buf = malloc(n + 2 * MUT_GROWTH);
	ri.tmp = malloc(n + 2 * MUT_GROWTH);
	if (ri.buf == NULL || ri.tmp == NULL)
		_exit(3);
	for (size_t run = from; run < total; run++) {
		uint8_t *exact;

		*current_run = run;
		make_input(in, n, file_no, run, singles, &ri);
		exact = malloc(ri.len ? ri.len : 1);
		if (exact == NULL)
			_exit(3);
		memcpy(exact, ri.buf, ri.len);
		alarm(opt.timeout);
		LLVMFuzzerTestOneInput(exact, ri.len);
		free(exact);
	}
	alarm(0);
	/* _exit: no leak check at exit, which would judge the harness's mappings. */
	_exit(0);
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "mutants: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Records run `run`, which ended the child with `status`: its input, how it was made, the log's end. */
static void record(const char *name, const uint8_t *in, size_t n, size_t file_no, size_t run,
		   size_t singles, int status, const char *log_path)
{
	struct run_input ri = { .buf = malloc(n + 2 * MUT_GROWTH), .tmp = malloc(n + 2 * MUT_GROWTH) };
	char path[4096], how[64], tail[LOG_TAIL + 1];
	FILE *f;
	size_t got = 0;

	if (ri.buf == NULL || ri.tmp == NULL)
		exit(2);
	make_input(in, n, file_no, run, singles, &ri);
	if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else
		snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(status));
	f = fopen(log_path, "rb");
	if (f != NULL) {
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		fseek(f, size > LOG_TAIL ? size - LOG_TAIL : 0, SEEK_SET);
		got = fread(tail, 1, LOG_TAIL, f);
		fclose(f);
	}
	tail[got] = '\0';
	snprintf(path, sizeof path, "%s/%s-run%zu", opt.out, name, run);
	write_file(path, ri.buf, ri.len);
	snprintf(path, sizeof path, "%s/%s-run%zu.txt", opt.out, name, run);
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "input: %s\nrun: %zu\nmade by: %s\nended: %s\nlog (end):\n%s", name, run,
			ri.desc, how, tail);
		fclose(f);
	}
	fprintf(stderr, "mutants: %s run %zu crashed (%s): %s\n", name, run, how, ri.desc);
	free(ri.buf);
	free(ri.tmp);
}

static uint8_t *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *p;

	if (f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "mutants: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	*n = (size_t)st.st_size;
	p = malloc(*n + 1);
	if (p == NULL || fread(p, 1, *n, f) != *n) {
		fprintf(stderr, "mutants: %s: short read\n", path);
		free(p);
		fclose(f);
		return NULL;
	}
	p[*n] = '\0';
	fclose(f);
	return p;
}

/* All runs of one file; returns how many crashed, or -1 on an error. */
static long sweep(const char *path, size_t file_no)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n, singles, total, from = 0, crashed;
	size_t crashed_input = 0, crashed_singles = 0, crashed_doubles = 0;
	char log_path[4096];
	uint8_t *in = read_all(path, &n);
	struct timespec t0, t1;

	if (in == NULL)
		return -1;
	singles = opt.inputs_only ? 0 : mut_count(n, &opt.dict, opt.set);
	total = opt.inputs_only ? 1 : 1 + singles + opt.doubles;
	snprintf(log_path, sizeof log_path, "%s/.%s.log", opt.out, name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (from < total && crashed_input + crashed_singles + crashed_doubles < opt.max_crashes) {
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "mutants: fork: %s\n", strerror(errno));
			return -1;
		}
		if (pid == 0)
			child(in, n, file_no, from, total, singles, log_path);
		if (waitpid(pid, &status, 0) < 0) {
			fprintf(stderr, "mutants: waitpid: %s\n", strerror(errno));
			return -1;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			break;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
			fprintf(stderr, "mutants: out of memory\n");
			return -1;
		}
		record(name, in, n, file_no, *current_run, singles, status, log_path);
		if (*current_run == 0)
			crashed_input++;
		else if (*current_run <= singles)
			crashed_singles++;
		else
			crashed_doubles++;
		from = *current_run + 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	unlink(log_path);
	crashed = crashed_input + crashed_singles + crashed_doubles;
	printf("mutants: %s: %zu singles, %zu doubles, %zu crashed (input %zu, singles %zu, "
	       "doubles %zu)%s in %.1f s\n",
	       name, singles, total - 1 - singles, crashed, crashed_input, crashed_singles,
	       crashed_doubles, from < total && crashed >= opt.max_crashes ? ", stopped early" : "",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	free(in);
	return (long)crashed;
}

static int number(const char *arg, const char *name, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0') {
		fprintf(stderr, "mutants: %s wants a number, not '%s'\n", name, arg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long v;
	long crashed = 0;
	size_t file_no = 0;
	int i;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *a = argv[i], *val = strchr(a, '=') ? strchr(a, '=') + 1 : "";

		if (strncmp(a, "--doubles=", 10) == 0) {
			if (number(val, "--doubles", &v) < 0)
				return 2;
			opt.doubles = (size_t)v;
		} else if (strncmp(a, "--seed=", 7) == 0) {
			if (number(val, "--seed", &v) < 0)
				return 2;
			opt.seed = v;
		} else if (strncmp(a, "--max-crashes=", 14) == 0) {
			if (number(val, "--max-crashes", &v) < 0 || v == 0)
				return 2;
			opt.max_crashes = (unsigned)v;
		} else if (strncmp(a, "--timeout=", 10) == 0) {
			if (number(val, "--timeout", &v) < 0 || v == 0)
				return 2;
			opt.timeout = (unsigned)v;
		} else if (strcmp(a, "--inputs-only") == 0) {
			opt.inputs_only = 1;
		} else if (strcmp(a, "--set=brief") == 0) {
			opt.set = MUT_BRIEF;
		} else if (strcmp(a, "--set=extended") == 0) {
			opt.set = MUT_EXTENDED;
		} else if (strncmp(a, "--out=", 6) == 0) {
			opt.out = val;
		} else if (strncmp(a, "--dict=", 7) == 0) {
			size_t n;
			unsigned bad = 0;
			char *text = (char *)read_all(val, &n);

			if (text == NULL)
				return 2;
			if (mut_dict_parse(text, &opt.dict, &bad) < 0) {
				fprintf(stderr, "mutants: %s:%u: not a dictionary line\n", val, bad);
				return 2;
			}
		} else {
			fprintf(stderr, "mutants: unknown option %s\n", a);
			return 2;
		}
	}
	if (i == argc) {
		fprintf(stderr, "usage: mutants [--set=brief|extended] [--doubles=N] [--seed=S] "
				"[--dict=FILE] [--out=DIR] [--max-crashes=K] [--timeout=SECS] "
				"[--inputs-only] FILE...\n");
		return 2;
	}
	current_run = mmap(NULL, sizeof *current_run, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (current_run == MAP_FAILED) {
		fprintf(stderr, "mutants: mmap: %s\n", strerror(errno));
		return 2;
	}
	for (; i < argc; i++, file_no++) {
		long c = sweep(argv[i], file_no);

		if (c < 0)
			return 2;
		crashed += c;
	}
	return crashed > 0 ? 1 : 0;
}
