/*
 * loader.c -- dlopen a plug-in, or pick a built-in; then check the table.
 *
 * The entry function of a plug-in is first called in a child process: an
 * implementation that crashes while loading is a clear error, not a crash
 * of ipcconf.
 */
#define _GNU_SOURCE
#include "conformance/harness/loader.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clock.h"

static struct ipcconf_iut iut_copy;
static struct ipcconf_stream_ops stream_copy;
static struct ipcconf_pipe_ops pipe_copy;
static struct ipcconf_fifo_ops fifo_copy;

/*
 * Copies what both sides know of a table: the implementation's struct_size
 * may be smaller (an older implementation: the rest stays NULL) or larger
 * (a newer one: the rest is ignored).
 */
static void copy_table(void *dst, size_t dst_size, const void *src, uint32_t src_size)
{
	memset(dst, 0, dst_size);
	if (src)
		memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
}

/* Every operations table starts with its struct_size. */
static uint32_t ops_size(const void *ops)
{
	uint32_t size = 0;
	if (ops)
		memcpy(&size, ops, sizeof size);
	return size;
}

/* Drops `cap` from caps when `present` is false. */
static void need(uint64_t *caps, uint64_t cap, int present)
{
	if (!present)
		*caps &= ~cap;
}

static const char *check_and_copy(const struct ipcconf_iut *src, const char *spec)
{
	if (!src)
		return "its entry function returned NULL";
	if (src->abi_version != IPCCONF_IUT_ABI_VERSION)
		return "ABI version mismatch";
	if (src->struct_size < offsetof(struct ipcconf_iut, fifo) + sizeof(void *))
		return "its struct ipcconf_iut is too small for ABI version 1";
	copy_table(&iut_copy, sizeof iut_copy, src, src->struct_size);
	copy_table(&stream_copy, sizeof stream_copy, iut_copy.stream, ops_size(iut_copy.stream));
	copy_table(&pipe_copy, sizeof pipe_copy, iut_copy.pipe, ops_size(iut_copy.pipe));
	copy_table(&fifo_copy, sizeof fifo_copy, iut_copy.fifo, ops_size(iut_copy.fifo));
	if (!iut_copy.name)
		iut_copy.name = spec;
	if (!iut_copy.description)
		iut_copy.description = "";

	uint64_t caps = iut_copy.caps;
	const struct ipcconf_stream_ops *s = &stream_copy;
	int io = iut_copy.stream && s->read && s->write && s->close;
	need(&caps, IPCCONF_CAP_PIPE, io && iut_copy.pipe && pipe_copy.create);
	need(&caps, IPCCONF_CAP_FIFO, io && iut_copy.fifo && fifo_copy.mkfifo && fifo_copy.open &&
					  fifo_copy.unlink);
	need(&caps, IPCCONF_CAP_NONBLOCK, s->set_nonblock && s->get_nonblock);
	need(&caps, IPCCONF_CAP_CAPACITY_GET, s->get_capacity != NULL);
	need(&caps, IPCCONF_CAP_CAPACITY_SET, s->set_capacity && s->get_capacity);
	need(&caps, IPCCONF_CAP_NREAD, s->nread != NULL);
	need(&caps, IPCCONF_CAP_POLL, s->poll != NULL);
	need(&caps, IPCCONF_CAP_DUP, s->dup != NULL);
	need(&caps, IPCCONF_CAP_SEEK, s->seek != NULL);
	/* Later mechanisms have no tables in ABI 1 yet. */
	caps &= ~(IPCCONF_CAP_SIGNAL | IPCCONF_CAP_MSGQ_SYSV | IPCCONF_CAP_MQ_POSIX |
		  IPCCONF_CAP_SHM | IPCCONF_CAP_SEM | IPCCONF_CAP_SOCKET);
	iut_copy.caps = caps;
	iut_copy.stream = &stream_copy;
	iut_copy.pipe = (caps & IPCCONF_CAP_PIPE) ? &pipe_copy : NULL;
	iut_copy.fifo = (caps & IPCCONF_CAP_FIFO) ? &fifo_copy : NULL;
	return NULL;
}

/* Calls the entry in a child: does it return a table of our ABI without crashing? */
static const char *trial_call(ipcconf_iut_entry_fn entry)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return NULL; /* cannot try; the real call will tell */
	if (pid == 0) {
		alarm(10);
		const struct ipcconf_iut *t = entry();
		_exit(!t ? 3 : t->abi_version != IPCCONF_IUT_ABI_VERSION ? 4 : 0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGALRM ? "its entry function did not return within 10 s"
					       : "its entry function crashed";
	if (WEXITSTATUS(st) == 3)
		return "its entry function returned NULL";
	if (WEXITSTATUS(st) == 4)
		return "ABI version mismatch";
	return NULL;
}

const struct ipcconf_iut *ipcconf_load_iut(const char *spec, char *err, size_t errsize)
{
	for (const struct ipcconf_builtin *b = ipcconf_builtins; b->name; b++) {
		if (strcmp(b->name, spec))
			continue;
		const char *why = check_and_copy(b->entry(), spec);
		if (why) {
			snprintf(err, errsize, "built-in implementation '%s': %s", spec, why);
			return NULL;
		}
		return &iut_copy;
	}
	if (!strchr(spec, '/') && !strstr(spec, ".so")) {
		int n = snprintf(err, errsize, "unknown implementation '%s' (built-in:", spec);
		for (const struct ipcconf_builtin *b = ipcconf_builtins; b->name; b++)
			n += snprintf(err + n, errsize > (size_t)n ? errsize - (size_t)n : 0, " %s",
				      b->name);
		snprintf(err + n, errsize > (size_t)n ? errsize - (size_t)n : 0,
			 "; or a path to a plug-in .so)");
		return NULL;
	}
	char path[4096];
	/* dlopen() searches the library path for a bare name; we mean a file. */
	snprintf(path, sizeof path, "%s%s", strchr(spec, '/') ? "" : "./", spec);
	if (access(path, R_OK) != 0) {
		snprintf(err, errsize, "cannot load implementation '%s': no readable file at %s", spec,
			 path);
		return NULL;
	}
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errsize, "cannot load implementation '%s': %s", spec, dlerror());
		return NULL;
	}
	void *sym = dlsym(h, IPCCONF_IUT_SYMBOL);
	if (!sym) {
		snprintf(err, errsize,
			 "cannot load implementation '%s': it does not export the symbol %s "
			 "(an ipcconf plug-in exports `const struct ipcconf_iut *%s(void)`; see impl/include/ipcconf/iut.h)",
			 spec, IPCCONF_IUT_SYMBOL, IPCCONF_IUT_SYMBOL);
		return NULL;
	}
	ipcconf_iut_entry_fn entry;
	memcpy(&entry, &sym, sizeof entry);
	const char *why = trial_call(entry);
	if (!why) {
		const struct ipcconf_iut *t = entry();
		why = check_and_copy(t, spec);
		if (why && t && t->abi_version != IPCCONF_IUT_ABI_VERSION) {
			snprintf(err, errsize,
				 "cannot use implementation '%s': ABI version mismatch: it implements version %u, this ipcconf implements version %u",
				 spec, t->abi_version, IPCCONF_IUT_ABI_VERSION);
			return NULL;
		}
	}
	if (why) {
		snprintf(err, errsize, "cannot use implementation '%s': %s", spec, why);
		return NULL;
	}
	return &iut_copy;
}
