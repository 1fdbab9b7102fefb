/*
 * loader.c -- dlopen a plug-in, or pick a built-in; then check and copy
 * its tables as the registered table descriptions say (mechanism.h).
 *
 * The entry function of a plug-in is first called in a child process: an
 * implementation that crashes or hangs while loading is a clear error,
 * not a crash of ipcconf.
 */
#define _GNU_SOURCE
#include "conformance/harness/loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance/harness/clock.h"
#include "conformance/harness/mechanism.h"
#include "conformance/harness/sys.h"

#define ENTRY_BOUND_NS (10LL * 1000 * 1000 * 1000)

/* Where each table's pointer lies in struct ipcconf_iut, and its size here. */
static const struct {
	size_t offset;
	size_t size;
} table_layout[IPCCONF_TABLE_COUNT] = {
#define LAYOUT_(id, member, tag) \
	[IPCCONF_TABLE_##id] = { offsetof(struct ipcconf_iut, member), sizeof(struct tag) },
	IPCCONF_TABLES(LAYOUT_)
#undef LAYOUT_
};

static const void *table_ptr(const struct ipcconf_iut *iut, enum ipcconf_table_id id)
{
	const void *p;
	memcpy(&p, (const char *)iut + table_layout[id].offset, sizeof p);
	return p;
}

static void set_table_ptr(struct ipcconf_iut *iut, enum ipcconf_table_id id, const void *p)
{
	memcpy((char *)iut + table_layout[id].offset, &p, sizeof p);
}

/* A member is present when it lies within what the implementation compiled and is not NULL. */
static int member_present(const void *table, uint32_t struct_size, const struct ipcconf_member *m)
{
	void (*fn)(void);
	if (m->offset + sizeof fn > struct_size)
		return 0;
	memcpy(&fn, (const char *)table + m->offset, sizeof fn);
	return fn != NULL;
}

#define BEHAVIOUR_CAPS (IPCCONF_CAP_FORK_INHERIT | IPCCONF_CAP_PEER_DEATH | IPCCONF_CAP_SIGPIPE | \
			IPCCONF_CAP_EINTR)

/*
 * Copies one table (what both sides know of it: an older implementation's
 * shorter table reads as NULL beyond its end) and checks it.  Returns the
 * copy, or NULL with the reason in `why`.
 */
static void *check_table(enum ipcconf_table_id id, const void *src, char *why, size_t whysize)
{
	struct ipcconf_table_head head;
	memcpy(&head, src, sizeof head);
	const struct ipcconf_table_desc *desc = ipcconf_find_table(id);
	const char *name = desc ? desc->name : "a";
	if (head.struct_size < sizeof head) {
		snprintf(why, whysize, "its %s table's struct_size (%u) is smaller than its head",
			 name, head.struct_size);
		return NULL;
	}
	size_t size = table_layout[id].size;
	unsigned char *copy = calloc(1, size);
	if (!copy)
		abort();
	memcpy(copy, src, head.struct_size < size ? head.struct_size : size);
	uint32_t known = head.struct_size < size ? head.struct_size : (uint32_t)size;
	if (!desc)
		return copy; /* no clause of this binary uses it */
	for (const struct ipcconf_member *m = desc->required; m->name; m++)
		if (!member_present(copy, known, m)) {
			snprintf(why, whysize, "its %s table lacks the required member %s", name,
				 m->name);
			free(copy);
			return NULL;
		}
	uint64_t caps = 0;
	for (const struct ipcconf_cap_ops *c = desc->caps; c->cap; c++) {
		if (!(head.caps & c->cap))
			continue;
		int ok = 1;
		for (size_t i = 0; i < sizeof c->ops / sizeof c->ops[0] && c->ops[i].name; i++)
			ok = ok && member_present(copy, known, &c->ops[i]);
		if (ok)
			caps |= c->cap;
	}
	head.caps = caps;
	head.struct_size = known;
	memcpy(copy, &head, sizeof head);
	return copy;
}

static const char *check_and_copy(const struct ipcconf_iut *src, const char *spec,
				  struct ipcconf_loaded *out)
{
	static struct ipcconf_iut copy;
	if (!src)
		return "its entry function returned NULL";
	if (src->abi_version != IPCCONF_IUT_ABI_VERSION)
		return "ABI version mismatch";
	size_t last = table_layout[IPCCONF_TABLE_COUNT - 1].offset + sizeof(void *);
	if (src->struct_size < last)
		return "its struct ipcconf_iut is smaller than ABI version 2 defines";
	memset(&copy, 0, sizeof copy);
	memcpy(&copy, src, src->struct_size < sizeof copy ? src->struct_size : sizeof copy);
	copy.name = copy.name ? copy.name : spec;
	copy.description = copy.description ? copy.description : "";
	copy.caps &= BEHAVIOUR_CAPS;
	for (int id = 0; id < IPCCONF_TABLE_COUNT; id++) {
		const void *t = table_ptr(&copy, (enum ipcconf_table_id)id);
		out->table_problem[id][0] = '\0';
		if (t)
			t = check_table((enum ipcconf_table_id)id, t, out->table_problem[id],
					sizeof out->table_problem[id]);
		set_table_ptr(&copy, (enum ipcconf_table_id)id, t);
	}
	out->self = src;
	out->iut = &copy;
	return NULL;
}

/*
 * Calls the entry in a child, under a bound: does it return a table of
 * our ABI without crashing or hanging?
 */
static const char *trial_call(ipcconf_iut_entry_fn entry)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return NULL; /* cannot try; the real call will tell */
	if (pid == 0) {
		const struct ipcconf_iut *t = entry();
		_exit(!t ? 3 : t->abi_version != IPCCONF_IUT_ABI_VERSION ? 4 : 0);
	}
	int st = 0;
	int r = ipcconf_sys_wait_child(pid, &st, ipcconf_now_ns() + ENTRY_BOUND_NS);
	if (r == 0) {
		ipcconf_sys_kill(pid, SIGKILL);
		ipcconf_sys_wait_child(pid, &st, ipcconf_now_ns() + ENTRY_BOUND_NS);
		return "its entry function did not return within 10 s";
	}
	if (r < 0)
		return NULL;
	if (WIFSIGNALED(st))
		return "its entry function crashed";
	if (WEXITSTATUS(st) == 3)
		return "its entry function returned NULL";
	if (WEXITSTATUS(st) == 4)
		return "ABI version mismatch";
	return NULL;
}

/* A plug-in built for an earlier interface exports that interface's symbol. */
static int older_interface(void *h)
{
	for (unsigned v = IPCCONF_IUT_ABI_VERSION - 1; v >= 1; v--) {
		char sym[32];
		snprintf(sym, sizeof sym, "ipcconf_iut_v%u", v);
		if (dlsym(h, sym))
			return (int)v;
	}
	return 0;
}

static int builtin(const char *spec, struct ipcconf_loaded *out, char *err, size_t errsize)
{
	for (const struct ipcconf_builtin *b = ipcconf_builtins; b->name; b++) {
		if (strcmp(b->name, spec))
			continue;
		const char *why = check_and_copy(b->entry(), spec, out);
		if (why) {
			snprintf(err, errsize, "built-in implementation '%s': %s", spec, why);
			return -1;
		}
		return 0;
	}
	int n = snprintf(err, errsize, "unknown implementation '%s' (built-in:", spec);
	for (const struct ipcconf_builtin *b = ipcconf_builtins; b->name; b++)
		n += snprintf(err + n, errsize > (size_t)n ? errsize - (size_t)n : 0, " %s", b->name);
	snprintf(err + n, errsize > (size_t)n ? errsize - (size_t)n : 0,
		 "; or a path to a plug-in .so)");
	return -1;
}

int ipcconf_load_iut(const char *spec, struct ipcconf_loaded *out, char *err, size_t errsize)
{
	memset(out, 0, sizeof *out);
	if (!strchr(spec, '/') && !strstr(spec, ".so"))
		return builtin(spec, out, err, errsize);
	char path[4096];
	/* dlopen() searches the library path for a bare name; we mean a file. */
	snprintf(path, sizeof path, "%s%s", strchr(spec, '/') ? "" : "./", spec);
	if (access(path, R_OK) != 0) {
		snprintf(err, errsize, "cannot load implementation '%s': no readable file at %s", spec,
			 path);
		return -1;
	}
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errsize, "cannot load implementation '%s': %s", spec, dlerror());
		return -1;
	}
	void *sym = dlsym(h, IPCCONF_IUT_SYMBOL);
	if (!sym) {
		int v = older_interface(h);
		if (v)
			snprintf(err, errsize,
				 "cannot use implementation '%s': it is built for interface version %d "
				 "(it exports ipcconf_iut_v%d); this ipcconf loads interface version %u (%s): "
				 "rebuild it against the current ipcconf/iut.h",
				 spec, v, v, IPCCONF_IUT_ABI_VERSION, IPCCONF_IUT_SYMBOL);
		else
			snprintf(err, errsize,
				 "cannot load implementation '%s': it does not export the symbol %s "
				 "(an ipcconf plug-in exports `const struct ipcconf_iut *%s(void)`; see ipcconf/iut.h)",
				 spec, IPCCONF_IUT_SYMBOL, IPCCONF_IUT_SYMBOL);
		return -1;
	}
	ipcconf_iut_entry_fn entry;
	memcpy(&entry, &sym, sizeof entry);
	const char *why = trial_call(entry);
	if (!why) {
		const struct ipcconf_iut *t = entry();
		why = check_and_copy(t, spec, out);
		if (why && t && t->abi_version != IPCCONF_IUT_ABI_VERSION) {
			snprintf(err, errsize,
				 "cannot use implementation '%s': ABI version mismatch: it implements version %u, this ipcconf implements version %u",
				 spec, t->abi_version, IPCCONF_IUT_ABI_VERSION);
			return -1;
		}
	}
	if (why) {
		snprintf(err, errsize, "cannot use implementation '%s': %s", spec, why);
		return -1;
	}
	return 0;
}
