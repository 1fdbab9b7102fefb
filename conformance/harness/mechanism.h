/*
 * mechanism.h -- what the harness knows about a mechanism and about the
 * interface's tables: only what these descriptors say.
 *
 * A mechanism's directory (conformance/<mech>/) registers a descriptor:
 *
 *     MECHANISM(pipe,
 *               .title = "anonymous pipes",
 *               .order = 10,
 *               .tables = IPCCONF_TABLE_BIT(HANDLE) | IPCCONF_TABLE_BIT(STREAM) |
 *                         IPCCONF_TABLE_BIT(PIPE),
 *               .probe = pipe_probe_limits);
 *
 * and each table of iut.h is described once, where it is used:
 *
 *     TABLE(pipe, .id = IPCCONF_TABLE_PIPE, .size = sizeof(struct ipcconf_pipe_ops),
 *           .required = pipe_required, .cap_names = pipe_cap_names,
 *           .cap_ops = pipe_cap_ops);
 *
 * The registry, the command line's mechanism list and help, the loader's
 * table checks, the limits in the report and the cleanup after a clause
 * all come from these; the harness names no mechanism itself.
 */
#ifndef IPCCONF_HARNESS_MECHANISM_H
#define IPCCONF_HARNESS_MECHANISM_H

#include <stddef.h>
#include <stdint.h>

#include "conformance/harness/clause.h"

#define IPCCONF_TABLE_BIT(table) (UINT32_C(1) << IPCCONF_TABLE_##table)

/* One object a clause made, as recorded in the shared page (objects.c). */
enum ipcconf_object_kind {
	IPCCONF_OBJ_PATH = 1,   /* a file-system name in the clause directory */
	IPCCONF_OBJ_POSIX_NAME, /* "/ipcconf-..." for mq_open, shm_open, sem_open */
	IPCCONF_OBJ_SYSV_KEY,   /* a System V key, in decimal */
	IPCCONF_OBJ_SOCKET_PATH /* a socket's path in the short socket directory */
};

struct ipcconf_object {
	enum ipcconf_object_kind kind;
	const char *name;
};

struct ipcconf_mechanism {
	const char *name;      /* the clause id prefix: "pipe" */
	const char *title;     /* "anonymous pipes" */
	int order;             /* report order: lower first */
	uint32_t tables;       /* IPCCONF_TABLE_BIT()s every clause of it uses */
	/*
	 * Reads the implementation's limits for the report's header, in a
	 * clause process of its own (so it may block, crash or hang safely),
	 * writing one line into `note`.  NULL: nothing to report.
	 */
	void (*probe)(struct ipcconf_t *t, char *note, size_t size);
	/*
	 * Removes one object a clause left, through the implementation (for
	 * what it keeps outside the file system).  Runs in a child under a
	 * bound after the clause's processes are gone, for every object of
	 * every clause; returns without doing anything for objects that are
	 * not its own.  The harness then removes what is left generically.
	 */
	void (*cleanup)(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			const struct ipcconf_object *obj);
	/*
	 * Optional: why this mechanism's clauses do not judge `iut` at all (a
	 * structure internal to one implementation, say), or NULL when they
	 * do.  Each clause is then a SKIP giving the reason.
	 */
	const char *(*not_judged)(const struct ipcconf_iut *iut);
};

/*
 * One member of a table: its name, and where it lies in the table (so the
 * loader can tell NULL, or beyond the implementation's struct_size).
 */
struct ipcconf_member {
	const char *name;
	size_t offset;
};
#define IPCCONF_MEMBER(type, member) { #member, offsetof(type, member) }

/* A capability bit and the members it promises. */
struct ipcconf_cap_ops {
	uint64_t cap;
	const char *name;              /* "NONBLOCK" */
	struct ipcconf_member ops[8];  /* { NULL } ends the list early */
};

struct ipcconf_table_desc {
	const char *name;      /* "pipe": shown in SKIP and load messages */
	enum ipcconf_table_id id;
	size_t size;           /* sizeof the table as this ipcconf knows it */
	/* Members without which the table is unusable; { NULL } ends the list. */
	const struct ipcconf_member *required;
	/* Each capability with its members; { 0 } ends the list. */
	const struct ipcconf_cap_ops *caps;
};

#define IPCCONF_MECHANISM_SECTION "ipcconf_mechs"
#define IPCCONF_TABLE_SECTION "ipcconf_tables"

#define MECHANISM(mech, ...)                                                   \
	static const struct ipcconf_mechanism mech##_mechanism = {             \
		.name = #mech, __VA_ARGS__                                     \
	};                                                                     \
	static const struct ipcconf_mechanism *const mech##_mechanism_entry    \
		__attribute__((used, section(IPCCONF_MECHANISM_SECTION),       \
			       aligned(sizeof(void *)))) = &mech##_mechanism

#define TABLE(tbl, ...)                                                        \
	static const struct ipcconf_table_desc tbl##_table_desc = {            \
		.name = #tbl, __VA_ARGS__                                      \
	};                                                                     \
	static const struct ipcconf_table_desc *const tbl##_table_entry        \
		__attribute__((used, section(IPCCONF_TABLE_SECTION),           \
			       aligned(sizeof(void *)))) = &tbl##_table_desc

/* Registered mechanisms in report order, NULL-terminated; *n gets the count. */
const struct ipcconf_mechanism *const *ipcconf_all_mechanisms(size_t *n);
const struct ipcconf_mechanism *ipcconf_find_mechanism(const char *name);
/* Registered table descriptor for `id`, or NULL. */
const struct ipcconf_table_desc *ipcconf_find_table(enum ipcconf_table_id id);

#endif /* IPCCONF_HARNESS_MECHANISM_H */
