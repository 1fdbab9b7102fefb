/*
 * page.h -- the page a clause's processes share with the runner.
 *
 * It is an anonymous MAP_SHARED mapping made by the runner before it forks
 * the clause process, so every process of the clause inherits it and the
 * runner reads it after they are all gone.  Nothing here passes through
 * the implementation under test: a broken pipe implementation cannot
 * corrupt the report about it.
 */
#ifndef IPCCONF_HARNESS_PAGE_H
#define IPCCONF_HARNESS_PAGE_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "conformance/harness/clause.h"

#define IPCCONF_MAX_MESSAGES 8
#define IPCCONF_MESSAGE_LEN 320
#define IPCCONF_MAX_STEPS 12
#define IPCCONF_STEP_LEN 160
#define IPCCONF_MAX_PATHS 16

struct ipcconf_step_slot {
	_Atomic pid_t pid;          /* 0: free */
	char text[IPCCONF_STEP_LEN];
};

struct ipcconf_page {
	_Atomic int outcome;                 /* worst enum ipcconf_outcome so far */
	_Atomic unsigned nmessages;          /* may exceed IPCCONF_MAX_MESSAGES: extra ones are counted only */
	char messages[IPCCONF_MAX_MESSAGES][IPCCONF_MESSAGE_LEN];
	_Atomic uint32_t checkpoints[IPCCONF_CHECKPOINTS];
	int64_t deadline_ns;                 /* CLOCK_MONOTONIC; written before the fork, read-only after */
	int64_t timeout_ns;                  /* the clause's scaled bound, deadline_ns - start */
	struct ipcconf_step_slot steps[IPCCONF_MAX_STEPS];
	char note[IPCCONF_MESSAGE_LEN];      /* free text for the runner (the limits probe) */
	_Atomic unsigned npaths;
	char paths[IPCCONF_MAX_PATHS][256];  /* names handed out by ipcconf_path() */
};

#endif
