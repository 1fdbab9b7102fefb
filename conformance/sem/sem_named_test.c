/*
 * POSIX named semaphore clauses (seed:M2): a name is how unrelated
 * processes reach one semaphore.  sem_open finds or creates it, O_EXCL
 * refuses an existing one, the value is given only on creation, a missing
 * name is ENOENT, and sem_unlink removes the name while every open
 * semaphore keeps working.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include "conformance/harness/block.h"
#include "conformance/harness/clause.h"
#include "conformance/sem/sem_support.h"

/* A helper that opens the semaphore by its name and then waits on its own handle. */
struct opener {
	const char *name;
	void *sem;
};

static void open_by_name(struct ipcconf_t *t, void *arg)
{
	struct opener *o = arg;
	o->sem = sem_named_open(t, o->name);
}

static long long wait_own(struct ipcconf_t *t, void *arg)
{
	struct opener *o = arg;
	return iut_sem_wait(t, o->sem, NULL);
}

static void close_own(struct ipcconf_t *t, void *arg, long long result)
{
	struct opener *o = arg;
	(void)result;
	CHECK_EQ(t, iut_sem_close(t, o->sem), 0, "sem_close of the helper's own handle");
}

/*
 * sem_overview(7): "Two processes can operate on the same named semaphore
 * by passing the same name to sem_open(3)."  POSIX.1-2017 XSH sem_open():
 * "The sem_open() function shall establish a connection between a named
 * semaphore and a process"; sem_wait() at 0 does not return until it
 * locks the semaphore; sem_post() lets one waiter return.  seed:M2.
 * Checked here: a named semaphore made with value 0; a helper opens it
 * with sem_open(name, 0) and its sem_wait is seen asleep and stays so for
 * the grace period; the clause's sem_post, through the creator's handle,
 * releases it with 0; the helper then closes its handle, and the value
 * is 0.
 */
CLAUSE(sem_named_wait_woken_by_post_of_opener,
       .id = "sem.named.wait_woken_by_post_of_opener",
       .title = "a process that opened a named semaphore by name waits at 0 until another posts",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_open(), sem_wait(), sem_post(); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_NAMED))
{
	struct opener o;
	void *sem = sem_named_create(t, "wake", 0, &o.name);
	struct ipcconf_blocked b;

	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.what = "sem_wait at 0 on a named semaphore opened by name",
		.prepare = open_by_name, .call = wait_own, .then = close_own, .arg = &o });
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post through the creator's handle");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the opener's woken sem_wait");
	CHECK_EQ(t, sem_value(t, sem), 0, "the value after one post and one wait");
}

/*
 * POSIX.1-2017 XSH sem_unlink(): "shall remove the semaphore named by the
 * string name.  If the semaphore named by name is currently referenced by
 * other processes, then sem_unlink() shall have no effect on the state of
 * the semaphore ... Calls to sem_open() to recreate or reconnect to the
 * semaphore refer to a new semaphore after sem_unlink() is called";
 * ERRORS "[ENOENT] The named semaphore does not exist"; sem_open() ERRORS
 * "[ENOENT] O_CREAT is not set and the named semaphore does not exist".
 * seed:M2.  Checked here: a named semaphore at 0; a helper opens it by
 * name and is asleep in sem_wait on its handle; the clause unlinks the
 * name: sem_open(name, 0) and a second sem_unlink then fail with
 * -ENOENT; the clause's sem_post through its own handle still releases
 * the helper with 0 (the semaphore works between the two processes); a
 * semaphore created anew under the name with value 4 is another one: it
 * reads 4 while the first reads 0, and a post to the first leaves it at 4.
 */
CLAUSE(sem_named_unlink_keeps_open_semaphore,
       .id = "sem.named.unlink_keeps_open_semaphore",
       .title = "sem_unlink removes the name; the semaphore stays usable by the processes that hold it",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_unlink() ERRORS [ENOENT], sem_open() [ENOENT]; sem_overview(7); sem_unlink(3)",
       USES(SEM, IPCCONF_SEM_CAP_NAMED))
{
	struct opener o;
	void *sem = sem_named_create(t, "unlinked", 0, &o.name);
	void *other = NULL;
	struct ipcconf_blocked b;

	/* That a wait at 0 blocks is sem.named.wait_woken_by_post_of_opener's rule: no grace here. */
	ipcconf_block_begin(t, &b, &(struct ipcconf_blocking_call){
		.no_grace = 1, .what = "sem_wait at 0 on a named semaphore opened by name",
		.prepare = open_by_name, .call = wait_own, .then = close_own, .arg = &o });
	REQUIRE_EQ(t, iut_sem_unlink(t, o.name), 0, "sem_unlink while two processes hold it");
	CHECK_FAILS(t, iut_sem_open(t, o.name, 0, 0, 0, &other), -ENOENT);
	CHECK_FAILS(t, iut_sem_unlink(t, o.name), -ENOENT);
	ipcconf_block_release(t, &b);
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post through the creator's handle after sem_unlink");
	CHECK_EQ(t, ipcconf_block_end(t, &b), 0, "the helper's sem_wait, released after sem_unlink");
	CHECK_EQ(t, sem_value(t, sem), 0, "the unlinked semaphore's value after the post was taken");

	REQUIRE_OK(t, iut_sem_open(t, o.name, O_CREAT | O_EXCL, 0600, 4, &other),
		   "sem_open(O_CREAT | O_EXCL) of the unlinked name");
	CHECK_EQ(t, sem_value(t, other), 4, "the new semaphore under the name");
	CHECK_EQ(t, sem_value(t, sem), 0, "the unlinked semaphore beside the new one");
	REQUIRE_EQ(t, iut_sem_post(t, sem), 0, "sem_post to the unlinked semaphore");
	CHECK_EQ(t, sem_value(t, other), 4, "the new semaphore after a post to the unlinked one");
	CHECK_EQ(t, sem_value(t, sem), 1, "the unlinked semaphore after its post");
	CHECK_EQ(t, iut_sem_close(t, other), 0, "sem_close of the new semaphore");
}

/*
 * POSIX.1-2017 XSH sem_open(): "If O_EXCL and O_CREAT are set, sem_open()
 * fails if the semaphore name exists"; ERRORS: "[EEXIST] O_CREAT and
 * O_EXCL are set and the named semaphore already exists."  sem_open(3).
 * seed:M2.  Checked here: with a named semaphore at 3, sem_open(name,
 * O_CREAT | O_EXCL, 0600, 0) fails with -EEXIST, and the existing
 * semaphore still reads 3.
 */
CLAUSE(sem_named_open_excl_existing_eexist,
       .id = "sem.named.open_excl_existing_eexist",
       .title = "sem_open with O_CREAT | O_EXCL of an existing name fails with -EEXIST and changes nothing",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_open() ERRORS [EEXIST]; sem_open(3)",
       USES(SEM, IPCCONF_SEM_CAP_NAMED))
{
	const char *name;
	void *sem = sem_named_create(t, "excl", 3, &name);
	void *again = NULL;

	CHECK_FAILS_UNCHANGED(t, iut_sem_open(t, name, O_CREAT | O_EXCL, 0600, 0, &again), -EEXIST,
			      sem_value(t, sem));
}

/*
 * POSIX.1-2017 XSH sem_open(): "If O_CREAT is set and the semaphore
 * already exists, then O_CREAT has no effect, except as noted under
 * O_EXCL"; the value argument is "the initial value" of a semaphore it
 * creates.  sem_open(3): "If O_CREAT is specified, and a semaphore with
 * the given name already exists, then mode and value are ignored."
 * seed:M2.  Checked here: with a named semaphore at 2, sem_open(name,
 * O_CREAT, 0600, 9) succeeds and reads 2 through the new handle; a post
 * through the new handle reads 3 through the creator's handle (one
 * semaphore), and the new handle closes.
 */
CLAUSE(sem_named_open_existing_ignores_value,
       .id = "sem.named.open_existing_ignores_value",
       .title = "sem_open with O_CREAT of an existing name opens it as it is, ignoring the value",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_open(); sem_open(3); sem_overview(7)",
       USES(SEM, IPCCONF_SEM_CAP_NAMED))
{
	const char *name;
	void *sem = sem_named_create(t, "existing", 2, &name);
	void *again = NULL;

	REQUIRE_OK(t, iut_sem_open(t, name, O_CREAT, 0600, 9, &again),
		   "sem_open(O_CREAT, value 9) of the existing name");
	CHECK_EQ(t, sem_value(t, again), 2, "the value through the second handle (9 ignored)");
	REQUIRE_EQ(t, iut_sem_post(t, again), 0, "sem_post through the second handle");
	CHECK_EQ(t, sem_value(t, sem), 3, "the value through the creator's handle after that post");
	CHECK_EQ(t, iut_sem_close(t, again), 0, "sem_close of the second handle");
}

/*
 * POSIX.1-2017 XSH sem_open() ERRORS: "[ENOENT] O_CREAT is not set and
 * the named semaphore does not exist."  sem_open(3).  seed:M2.  Checked
 * here: on a name no semaphore has, sem_open(name, 0) fails with -ENOENT
 * twice (the first created nothing), and sem_open(name, O_CREAT |
 * O_EXCL, 0600, 5) then succeeds with value 5.
 */
CLAUSE(sem_named_open_missing_enoent,
       .id = "sem.named.open_missing_enoent",
       .title = "sem_open without O_CREAT of a name with no semaphore fails with -ENOENT and creates nothing",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_open() ERRORS [ENOENT]; sem_open(3)",
       USES(SEM, IPCCONF_SEM_CAP_NAMED))
{
	const char *name = ipcconf_posix_name(t, "missing");
	void *sem = NULL;

	CHECK_FAILS(t, iut_sem_open(t, name, 0, 0, 0, &sem), -ENOENT);
	CHECK_FAILS(t, iut_sem_open(t, name, 0, 0, 0, &sem), -ENOENT);
	REQUIRE_OK(t, iut_sem_open(t, name, O_CREAT | O_EXCL, 0600, 5, &sem),
		   "sem_open(O_CREAT | O_EXCL) after the refused opens");
	CHECK_EQ(t, sem_value(t, sem), 5, "the value of the semaphore made afterwards");
	CHECK_EQ(t, iut_sem_close(t, sem), 0, "sem_close");
}

/*
 * POSIX.1-2017 XSH sem_open() ERRORS: "[EACCES] The named semaphore exists
 * and the permissions specified by oflag are denied"; the mode bits given
 * on creation are its permissions.  sem_open(3): "EACCES The semaphore
 * exists, but the caller does not have permission to open it."  seed:M2.
 * Checked here, as root: a named semaphore made 0600 at 1; a helper that
 * became the user nobody (no capability that bypasses permissions left)
 * gets -EACCES from sem_open(name, 0) and from sem_open(name, O_CREAT,
 * 0600, 0); the semaphore still reads 1.  A SKIP where no other user can
 * be had.
 */
CLAUSE(sem_named_open_other_user_eacces,
       .id = "sem.named.open_other_user_eacces",
       .title = "another user cannot open a named semaphore made with mode 0600 (-EACCES)",
       .cites = "seed:M2; POSIX.1-2017 XSH sem_open() ERRORS [EACCES]; sem_open(3)",
       USES(SEM, IPCCONF_SEM_CAP_NAMED | IPCCONF_SEM_CAP_CREDENTIALS))
{
	sem_need_root(t);
	const char *name;
	void *sem = sem_named_create(t, "private", 1, &name);

	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		void *mine = NULL;
		sem_become_other_user(t);
		CHECK_FAILS(t, iut_sem_open(t, name, 0, 0, 0, &mine), -EACCES);
		CHECK_FAILS(t, iut_sem_open(t, name, O_CREAT, 0600, 0, &mine), -EACCES);
		ipcconf_exit(t);
	}
	sem_join_helper(t, h, "the helper of another user");
	CHECK_EQ(t, sem_value(t, sem), 1, "the value after the refused opens");
}
