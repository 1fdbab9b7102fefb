/*
 * exec_probe.h -- asking a freshly exec'd image what the implementation
 * under test reports, for rules about what survives execve(2).
 *
 * A helper sets some state up, then calls ipcconf_exec_probe(), which
 * execve()s this very program (/proc/self/exe) with the probe's name, a
 * descriptor and an argument in its environment, together with the run's
 * implementation spec (--impl).  main() sees the environment first, loads
 * the same implementation, and runs the probe, which writes its answer to
 * the descriptor and returns; the image then exits 0.  The clause reads
 * the answer with ipcconf_exec_probe_read() from a pipe it made with
 * pipe2(2) (the harness's channel, never the implementation's).
 *
 *     static void report_x(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
 *                          int out_fd, const char *arg)
 *     {
 *             struct x_report r = ...query through iut...;
 *             ipcconf_exec_probe_write(out_fd, &r, sizeof r);
 *     }
 *     EXEC_PROBE(x_report, report_x);
 *     ...
 *     int p[2];  pipe2(p, O_CLOEXEC);
 *     pid_t h = ipcconf_fork(t);
 *     if (h == 0) { ...set state up...; ipcconf_exec_probe(t, "x_report", p[1], ""); }
 *     close(p[1]);
 *     struct x_report r;
 *     ipcconf_exec_probe_read(t, p[0], &r, sizeof r, "the exec'd helper's report");
 *
 * The exec'd image keeps the helper's pid, process group and parent, so
 * the clause joins it like any helper; it no longer maps the shared page,
 * so it cannot report checks itself: the clause judges what it wrote.
 * Nothing here names a mechanism: a probe registers itself, like a clause.
 */
#ifndef IPCCONF_HARNESS_EXEC_PROBE_H
#define IPCCONF_HARNESS_EXEC_PROBE_H

#include <stddef.h>

#include "conformance/harness/clause.h"

/* Runs in the exec'd image, after the implementation is loaded; writes its answer to out_fd. */
typedef void (*ipcconf_exec_probe_fn)(const struct ipcconf_iut *self,
				      const struct ipcconf_iut *iut, int out_fd,
				      const char *arg);

struct ipcconf_exec_probe_desc {
	const char *name;
	ipcconf_exec_probe_fn fn;
};

#define IPCCONF_EXEC_PROBE_SECTION "ipcconf_exec_probes"

/* Registers probe `probe_` (an identifier, also its name at run time) running `fn_`. */
#define EXEC_PROBE(probe_, fn_)                                                \
	static const struct ipcconf_exec_probe_desc probe_##_exec_probe = {    \
		.name = #probe_, .fn = (fn_),                                  \
	};                                                                     \
	static const struct ipcconf_exec_probe_desc *const probe_##_exec_probe_entry \
		__attribute__((used, section(IPCCONF_EXEC_PROBE_SECTION),      \
			       aligned(sizeof(void *)))) = &probe_##_exec_probe

/*
 * In a helper: execve() this program to run probe `name` with `arg`,
 * answering on `out_fd` (its close-on-exec flag is cleared here).  Does
 * not return: when this program cannot be exec'd here the clause is a
 * SKIP saying why; any other failure is BROKEN.
 */
_Noreturn void ipcconf_exec_probe(struct ipcconf_t *t, const char *name, int out_fd,
				  const char *arg);

/* In a probe: writes all `len` bytes (retrying short writes); 0, or -1 on error. */
int ipcconf_exec_probe_write(int out_fd, const void *buf, size_t len);

/*
 * In the clause: reads the probe's answer, exactly `len` bytes, from `fd`,
 * bounded by the clause deadline.  When the exec'd image never announced
 * itself (this program could not be re-executed as itself here, as under
 * an emulator whose /proc/self/exe names the emulator) the clause is a
 * SKIP; when it could not load the implementation or find the probe,
 * BROKEN; when the probe ended before answering in full (it died inside
 * the implementation), a FAIL naming `what`.  The caller ends in each case.
 */
void ipcconf_exec_probe_read(struct ipcconf_t *t, int fd, void *buf, size_t len,
			     const char *what);

/* ---- for main() only ---- */

/* Resolves an implementation spec in the exec'd image: 0, or -1 with a message in `err`. */
typedef int (*ipcconf_exec_probe_loader)(const char *spec, const struct ipcconf_iut **self,
					 const struct ipcconf_iut **iut, char *err,
					 size_t errsize);

/*
 * Called first thing in main(): when the environment names a probe, this
 * process is an exec'd probe: it loads the implementation with `load`,
 * runs the probe and exits.  Otherwise it returns at once.
 */
void ipcconf_exec_probe_main(ipcconf_exec_probe_loader load);

/* Records the run's implementation spec (--impl), for the probes its clauses exec. */
void ipcconf_exec_probe_set_impl(const char *spec);

#endif /* IPCCONF_HARNESS_EXEC_PROBE_H */
