/* The implementations every ipcconf binary carries: `--impl os|ref|ref-small`. */
#include "conformance/harness/loader.h"
#include "impl/os/os_iut.h"
#include "impl/ref/ref_iut.h"

const struct ipcconf_builtin ipcconf_builtins[] = {
	{ "os", ipcconf_os_iut },
	{ "ref", ipcconf_ref_iut },
	{ "ref-small", ipcconf_ref_small_iut },
	{ NULL, NULL },
};
