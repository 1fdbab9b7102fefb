/*
 * cli.c -- `ipcconf list` and `ipcconf run`: the entry point.  Options are
 * in args.c, running in run.c, the summary in summary.c, the PID-1
 * supervisor in pid1.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/harness/cli.h"
#include "conformance/harness/exec_probe.h"
#include "conformance/harness/loader.h"
#include "conformance/harness/registry.h"

static int cmd_list(const struct options *o)
{
	const struct ipcconf_clause **sel;
	size_t n = ipcconf_select(o, &sel);
	for (size_t i = 0; i < n; i++) {
		char mech[32];
		printf("%s\t%s\t%s\t%s\n", sel[i]->id,
		       ipcconf_clause_mechanism(sel[i], mech, sizeof mech), sel[i]->cites,
		       sel[i]->title);
	}
	free(sel);
	return 0;
}

/* How an exec'd probe (exec_probe.h) loads the implementation: as `run` does. */
static int load_for_probe(const char *spec, const struct ipcconf_iut **self,
			  const struct ipcconf_iut **iut, char *err, size_t errsize)
{
	static struct ipcconf_loaded loaded;
	if (ipcconf_load_iut(spec, &loaded, err, errsize) < 0)
		return -1;
	*self = loaded.self;
	*iut = loaded.iut;
	return 0;
}

int main(int argc, char **argv)
{
	/* First: this process may be a clause's helper re-executed to run a probe. */
	ipcconf_exec_probe_main(load_for_probe);
	struct options o;
	ipcconf_parse_args(argc, argv, &o);
	ipcconf_exec_probe_set_impl(o.impl);
	if (!strcmp(o.command, "list"))
		return cmd_list(&o);
	ipcconf_stay_out_of_pid_1();
	return ipcconf_cmd_run(&o);
}
