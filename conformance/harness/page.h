/*
 * page.h -- the page a clause's processes share with the runner.
 *
 * It is an anonymous MAP_SHARED mapping made by the runner before it forks
 * the clause process, so every process of the clause inherits it and the
 * runner reads it after they are all gone.  Nothing here passes through
 * the implementation under test: a broken implementation cannot corrupt
 * the report about it.
 */
#ifndef IPCCONF_HARNESS_PAGE_H
#define IPCCONF_HARNESS_PAGE_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"

#define IPCCONF_MAX_MESSAGES 8
#define IPCCONF_MESSAGE_LEN 320
#define IPCCONF_MAX_STEPS 12
#define IPCCONF_STEP_LEN 160
#define IPCCONF_MAX_OBJECTS 24
#define IPCCONF_OBJECT_NAME_LEN 256

struct ipcconf_step_slot {
	_Atomic pid_t pid;          /* 0: free */
	char text[IPCCONF_STEP_LEN];
};

/* An object a clause made, recorded before its name is handed out. */
struct ipcconf_object_slot {
	_Atomic int kind;           /* enum ipcconf_object_kind; 0: being written */
	char name[IPCCONF_OBJECT_NAME_LEN];
};

/* One call under block.h's watch. */
struct ipcconf_block_slot {
	_Atomic uint32_t started;   /* futex word: 1 once the call is about to start */
	_Atomic uint32_t returned;  /* futex word: 1 once it returned */
	_Atomic uint32_t released;  /* 1 once the clause began the releasing action */
	_Atomic uint32_t early;     /* 1: it returned before the releasing action */
	_Atomic long long result;
};

struct ipcconf_page {
	_Atomic int outcome;                 /* worst enum ipcconf_outcome so far */
	_Atomic unsigned nmessages;          /* may exceed IPCCONF_MAX_MESSAGES: extra ones are counted only */
	_Atomic unsigned nchecks;            /* checks made; none at all is BROKEN */
	char messages[IPCCONF_MAX_MESSAGES][IPCCONF_MESSAGE_LEN];
	_Atomic uint32_t checkpoints[IPCCONF_CHECKPOINTS];
	/* Written before the fork, read-only after: */
	int64_t deadline_ns;                 /* CLOCK_MONOTONIC */
	int64_t timeout_ns;                  /* the clause's scaled bound, deadline_ns - start */
	double timeout_mul;                  /* --timeout-mul */
	char run_tag[24];                    /* random per run: part of every POSIX name */
	unsigned clause_index;
	char socket_dir[128];                /* a short private directory for socket paths */
	struct ipcconf_step_slot steps[IPCCONF_MAX_STEPS];
	char note[IPCCONF_MESSAGE_LEN];      /* free text for the runner (a mechanism's probe) */
	_Atomic unsigned nobjects;
	struct ipcconf_object_slot objects[IPCCONF_MAX_OBJECTS];
	_Atomic uint32_t caught[65];         /* futex words: signals caught by ipcconf_catch() handlers, all processes */
	_Atomic unsigned nblocked;
	struct ipcconf_block_slot blocked[IPCCONF_MAX_BLOCKED];
};

#endif
