/* Not an implementation: a shared object without the entry symbol, to test the loader. */
int ipcconf_not_the_entry_point(void);
int ipcconf_not_the_entry_point(void) { return 42; }
