/*
 * semget(2), semop(2)/semtimedop(2) and semctl(2) over the sets of
 * sem_sysv.h, with Linux's rules (ipc/sem.c): the order of the argument
 * checks, operation lists done all at once or not at all in array order
 * (perform_atomic_semop_slow), SEMVMX and the adjustment range, SETVAL
 * and SETALL clearing adjustments, and waits that end with EIDRM, EAGAIN
 * at a timeout and EINTR after any handler (never restarted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/sem.h"
#include "impl/ref/sem_sysv.h"
#include "impl/ref/shm_obj.h"
#include "impl/ref/sysv_registry.h"
#include "impl/sync/sync_waiter.h"

#ifndef IPC_64
#define IPC_64 0x0100
#endif

#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)

/* Linux's defaults (SEMMSL, SEMOPM), where /proc/sys/kernel/sem cannot tell. */
#define SEMMSL_DEFAULT 32000
#define SEMOPM_DEFAULT 500

/* /proc/sys/kernel/sem: "semmsl semmns semopm semmni"; field 0 or 2, or `fallback`. */
static long sem_limit(int field, long fallback)
{
	char buf[128];
	long v[4];
	ssize_t n;
	int fd = open("/proc/sys/kernel/sem", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fallback;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return fallback;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]) != 4 || v[field] < 0)
		return fallback;
	return v[field];
}

/* SEMOPM, read once per process: semop checks it on every call. */
static long semopm(void)
{
	static _Atomic long cached;
	long v = atomic_load_explicit(&cached, memory_order_relaxed);

	if (v == 0) {
		v = sem_limit(2, SEMOPM_DEFAULT);
		atomic_store_explicit(&cached, v, memory_order_relaxed);
	}
	return v;
}

static struct ref_ipc_perm perm_of(const struct semset_state *st)
{
	return (struct ref_ipc_perm){ .uid = st->uid, .gid = st->gid, .cuid = st->cuid,
				      .cgid = st->cgid, .mode = st->mode & 0777 };
}

static bool removed(const struct semset_map *m)
{
	return atomic_load(&m->sh->removed) != 0;
}

/* ---- semget ---- */

/*
 * An existing set for the key: its id, -EINVAL (fewer semaphores than
 * asked), -EACCES, or -EIDRM when it was removed meanwhile (look again).
 */
static int get_existing(int id, int nsems, int flags)
{
	struct semset_map *m;
	struct semset_state st;
	bool wake;
	int err = semset_get(id, &m);

	if (err == -EACCES)
		/* The size cannot be read either: only the permission is checked (ref_iut.h). */
		return sysv_file_perms(SEMSET_PREFIX, "i", id, flags) != 0 ? -EACCES : id;
	if (err == -EINVAL)
		return -EIDRM;
	if (err != 0)
		return err;
	semset_lock(m, &st, &wake);
	if (removed(m)) {
		err = -EIDRM;
	} else if ((uint32_t)nsems > m->nsems) {
		err = -EINVAL; /* Linux sem_more_checks(), before the permission check */
	} else {
		struct ref_ipc_perm p = perm_of(&st);

		err = ref_ipc_perms(&p, flags & 0777);
	}
	semset_unlock(m, &st, wake);
	if (err == -EIDRM)
		semset_forget(m);
	semset_put(m);
	return err != 0 ? err : id;
}

int ref_semget(ref_sem_iut_t *self, key_t key, int nsems, int flags)
{
	uint32_t mode = (uint32_t)flags & 0777;

	(void)self;
	/* Linux ksys_semget(): the count against SEMMSL first; newary(): a new set has some. */
	if (nsems < 0 || nsems > sem_limit(0, SEMMSL_DEFAULT))
		return -EINVAL;
	if (key == IPC_PRIVATE)
		return nsems == 0 ? -EINVAL : semset_create(0, (uint32_t)nsems, mode);
	for (int tries = 0; tries < 64; tries++) {
		int id = sysv_key_id(SEMSET_PREFIX, key);

		if (id >= 0) {
			/* Linux ipcget_public(): EEXIST before anything else. */
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				return -EEXIST;
			id = get_existing(id, nsems, flags);
			if (id != -EIDRM)
				return id;
			continue; /* removed meanwhile: the key is free now */
		}
		if (id != -ENOENT)
			return id;
		if (!(flags & IPC_CREAT))
			return -ENOENT;
		if (nsems == 0)
			return -EINVAL;
		id = semset_create(key, (uint32_t)nsems, mode);
		if (id != -EEXIST)
			return id;
		/* Another process made the key's set meanwhile. */
	}
	return -ENOSPC;
}

/* ---- semop ---- */

/*
 * One call's operation list in private memory, with each semaphore it
 * names once: `at[i]` is the index in val/adj of ops[i]'s semaphore, so
 * that a semaphore named twice is read from the set once and the list
 * runs on the running value, as Linux's perform_atomic_semop_slow().
 */
struct oplist {
	struct sembuf *ops;
	size_t n;
	unsigned *at;      /* n */
	unsigned *num;     /* the distinct semaphores, n_distinct of them */
	int *val;
	int *adj;
	size_t n_distinct;
	bool undo;         /* some operation has SEM_UNDO */
	bool alter;        /* some operation changes a value */
	unsigned max_num;
};

static void oplist_free(struct oplist *l)
{
	free(l->ops);
	free(l->at);
	free(l->num);
	free(l->val);
	free(l->adj);
}

/* Copies the caller's list (which may be in shared memory) and finds its distinct semaphores. */
static int oplist_make(struct oplist *l, const struct sembuf *ops, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->n = n;
	l->ops = malloc(n * sizeof(*l->ops));
	l->at = malloc(n * sizeof(*l->at));
	l->num = malloc(n * sizeof(*l->num));
	l->val = malloc(n * sizeof(*l->val));
	l->adj = malloc(n * sizeof(*l->adj));
	if (l->ops == NULL || l->at == NULL || l->num == NULL || l->val == NULL || l->adj == NULL) {
		oplist_free(l);
		return -ENOMEM;
	}
	memcpy(l->ops, ops, n * sizeof(*l->ops));
	for (size_t i = 0; i < n; i++) {
		unsigned num = l->ops[i].sem_num;
		size_t k;

		for (k = 0; k < l->n_distinct && l->num[k] != num; k++)
			;
		if (k == l->n_distinct)
			l->num[l->n_distinct++] = num;
		l->at[i] = (unsigned)k;
		if (num > l->max_num)
			l->max_num = num;
		l->undo |= (l->ops[i].sem_flg & SEM_UNDO) != 0;
		l->alter |= l->ops[i].sem_op != 0;
	}
	return 0;
}

/* What a list that cannot proceed waits for: the operation that blocked. */
struct blocked {
	unsigned num;
	bool zero;
};

/*
 * Under the lock, Linux perform_atomic_semop_slow(): 0 when the whole
 * list was applied (*changed when a value moved), 1 when it must wait
 * (*b says on what), -EAGAIN (that operation had IPC_NOWAIT), -ERANGE,
 * -EUCLEAN (a value no set can hold).  Nothing is written unless 0.
 */
static int try_locked(struct semset_map *m, struct oplist *l, int undo_slot, struct blocked *b,
		      bool *changed)
{
	struct semset_undo *u = undo_slot >= 0 ? semset_undo(m, (unsigned)undo_slot) : NULL;
	pid_t self = getpid();

	for (size_t k = 0; k < l->n_distinct; k++) {
		l->val[k] = semset_value_locked(m, l->num[k]);
		if (l->val[k] < 0)
			return -EUCLEAN;
		l->adj[k] = u != NULL ? ((volatile int16_t *)u->adj)[l->num[k]] : 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct sembuf *op = &l->ops[i];
		unsigned k = l->at[i];
		int result = l->val[k] + op->sem_op;

		if ((op->sem_op == 0 && l->val[k] != 0) || result < 0) {
			b->num = op->sem_num;
			b->zero = op->sem_op == 0;
			return (op->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
		}
		if (result > SEM_VMX)
			return -ERANGE;
		if (op->sem_flg & SEM_UNDO) {
			int undo = l->adj[k] - op->sem_op;

			/* Linux's range for an adjustment: -SEMAEM - 1 .. SEMAEM. */
			if (undo < -SEM_VMX - 1 || undo > SEM_VMX)
				return -ERANGE;
			l->adj[k] = undo;
		}
		l->val[k] = result;
	}
	/* A list of waits for zero changes nothing a sleeper waits for. */
	*changed = l->alter;
	for (size_t k = 0; k < l->n_distinct; k++) {
		struct semset_sem *s = semset_sem(m, l->num[k]);

		s->val = l->val[k];
		s->pid = (int32_t)self;
		if (u != NULL)
			u->adj[l->num[k]] = (int16_t)l->adj[k];
	}
	return 0;
}

/* A relative semtimedop timeout in whole milliseconds (rounded up); -1: no bound. */
static int timeout_ms(const struct timespec *t)
{
	long long ms;

	if (t == NULL)
		return -1;
	ms = (long long)t->tv_sec * 1000 + (t->tv_nsec + 999999) / 1000000;
	return ms > INT_MAX ? -1 : (int)ms;
}

/* One pass under the lock: 0, 1 (must wait: the caller's record is in *wslot), or -errno. */
static int pass_locked(struct semset_map *m, struct oplist *l, bool waited, int *wslot)
{
	struct semset_state st;
	struct blocked b = { 0, false };
	bool wake, changed = false;
	int r;

	semset_lock(m, &st, &wake);
	if (removed(m)) {
		/* Linux: EIDRM for a call asleep when the set went; EINVAL for a new one. */
		r = waited ? -EIDRM : -EINVAL;
	} else {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_perms(&p, l->alter ? S_IWUGO : S_IRUGO);
	}
	if (r == 0) {
		int undo_slot = l->undo ? semset_undo_mine_locked(m) : -1;

		r = l->undo && undo_slot < 0 ? -ENOMEM : try_locked(m, l, undo_slot, &b, &changed);
	}
	if (r == 1) {
		*wslot = semset_waiter_set_locked(m, *wslot, b.num, b.zero);
	} else if (*wslot >= 0) {
		semset_waiter_clear_locked(m, *wslot);
		*wslot = -1;
	}
	if (r == 0) {
		st.otime = (int64_t)time(NULL);
		wake |= changed;
	}
	semset_unlock(m, &st, wake);
	return r;
}

int ref_semop(ref_sem_iut_t *self, int id, struct sembuf *ops, size_t nops,
	      const struct timespec *timeout)
{
	struct sync_waiter w;
	struct semset_map *m;
	struct oplist l;
	bool started = false, waited = false;
	int r, wslot = -1;

	(void)self;
	/* Linux do_semtimedop(): the argument checks, in its order. */
	if (nops < 1 || id < 0)
		return -EINVAL;
	if ((long)nops > semopm() || nops > INT_MAX)
		return -E2BIG;
	if (ops == NULL)
		return -EFAULT;
	if (timeout != NULL &&
	    (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L))
		return -EINVAL;
	r = oplist_make(&l, ops, nops);
	if (r != 0)
		return r;
	r = semset_get(id, &m);
	if (r != 0) {
		oplist_free(&l);
		return r;
	}
	if (l.max_num >= m->nsems) {
		r = -EFBIG;
		goto out;
	}
	for (;;) {
		uint32_t seen = atomic_load(&m->sh->seq);
		int s;

		r = pass_locked(m, &l, waited, &wslot);
		if (r != 1)
			break;
		if (!started) {
			sync_waiter_begin(&w, timeout_ms(timeout));
			started = true;
		}
		s = sync_waiter_wait(&w, &m->sh->seq, seen, &m->sh->sleepers);
		waited = true;
		/* semop(2) is never restarted after a handler (signal(7)); a timeout is EAGAIN. */
		if (s == -EINTR || s == -ERESTART || s == -ETIMEDOUT) {
			r = s == -ETIMEDOUT ? -EAGAIN : -EINTR;
			break;
		}
	}
	if (wslot >= 0) {
		struct semset_state st;
		bool wake;

		semset_lock(m, &st, &wake);
		semset_waiter_clear_locked(m, wslot);
		semset_unlock(m, &st, wake);
	}
	if (started)
		sync_waiter_end(&w);
out:
	if (r == -EINVAL || r == -EIDRM)
		semset_forget(m);
	semset_put(m);
	oplist_free(&l);
	return r;
}

/* ---- semctl ---- */

static void stat_locked(const struct semset_map *m, const struct semset_state *st,
			struct semid_ds *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->sem_perm.__key = m->key;
	buf->sem_perm.uid = st->uid;
	buf->sem_perm.gid = st->gid;
	buf->sem_perm.cuid = st->cuid;
	buf->sem_perm.cgid = st->cgid;
	buf->sem_perm.mode = (unsigned short)(st->mode & 0777);
	buf->sem_otime = (time_t)st->otime;
	buf->sem_ctime = (time_t)st->ctime;
	buf->sem_nsems = m->nsems;
}

/* Linux semctl_down() IPC_SET: 0 or -errno, the new state in *st. */
static int set_locked(struct semset_state *st, const struct semid_ds *in)
{
	struct ref_ipc_perm p = perm_of(st);

	if (!ref_ipc_owner(&p))
		return -EPERM;
	if (in->sem_perm.uid == (uid_t)-1 || in->sem_perm.gid == (gid_t)-1)
		return -EINVAL;
	st->uid = in->sem_perm.uid;
	st->gid = in->sem_perm.gid;
	st->mode = in->sem_perm.mode & 0777;
	st->ctime = (int64_t)time(NULL);
	return 0;
}

/* GETALL: each value read once, checked, then copied out. */
static int getall_locked(struct semset_map *m, unsigned short *out)
{
	for (unsigned i = 0; i < m->nsems; i++) {
		int v = semset_value_locked(m, i);

		if (v < 0)
			return v;
		out[i] = (unsigned short)v;
	}
	return 0;
}

/* SETALL (values in private memory): ERANGE before anything changes. */
static int setall_locked(struct semset_map *m, struct semset_state *st, const unsigned short *in)
{
	for (unsigned i = 0; i < m->nsems; i++)
		if (in[i] > SEM_VMX)
			return -ERANGE;
	semset_undo_clear_locked(m, -1);
	for (unsigned i = 0; i < m->nsems; i++) {
		semset_sem(m, i)->val = in[i];
		semset_sem(m, i)->pid = (int32_t)getpid();
	}
	st->ctime = (int64_t)time(NULL);
	return 0;
}

/* The commands on one semaphore or on all values, under the lock: the result, or -errno. */
static int values_locked(struct semset_map *m, struct semset_state *st, int semnum, int cmd,
			 union ipcconf_semun arg, const unsigned short *setall, bool *changed)
{
	struct ref_ipc_perm p = perm_of(st);
	bool writes = cmd == SETVAL || cmd == SETALL;
	int r;

	/* Linux semctl_setval(): the number before the permission. */
	if (cmd == SETVAL && (semnum < 0 || (unsigned)semnum >= m->nsems))
		return -EINVAL;
	r = ref_ipc_perms(&p, writes ? S_IWUGO : S_IRUGO);
	if (r != 0)
		return r;
	if (cmd == GETALL)
		return arg.array == NULL ? -EFAULT : getall_locked(m, arg.array);
	if (cmd == SETALL) {
		r = setall == NULL ? -EFAULT : setall_locked(m, st, setall);
		*changed = r == 0;
		return r;
	}
	if (semnum < 0 || (unsigned)semnum >= m->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL:
		return semset_value_locked(m, (unsigned)semnum);
	case GETPID: {
		int32_t pid = ((volatile struct semset_sem *)semset_sem(m, (unsigned)semnum))->pid;

		return pid > 0 ? pid : 0;
	}
	case GETNCNT:
		return semset_waiters_locked(m, (unsigned)semnum, false);
	case GETZCNT:
		return semset_waiters_locked(m, (unsigned)semnum, true);
	default: /* SETVAL */
		semset_undo_clear_locked(m, semnum);
		semset_sem(m, (unsigned)semnum)->val = arg.val;
		semset_sem(m, (unsigned)semnum)->pid = (int32_t)getpid();
		st->ctime = (int64_t)time(NULL);
		*changed = true;
		return 0;
	}
}

static bool known_cmd(int cmd)
{
	switch (cmd) {
	case GETVAL:
	case SETVAL:
	case GETALL:
	case SETALL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case IPC_STAT:
	case IPC_SET:
	case IPC_RMID:
		return true;
	default:
		return false; /* IPC_INFO, SEM_INFO, SEM_STAT, SEM_STAT_ANY: see ref_iut.h */
	}
}

/* SETALL's values, copied from the caller (the array may be in shared memory). */
static int copy_setall(int id, union ipcconf_semun arg, unsigned short **out)
{
	struct semset_map *m;
	int r;

	*out = NULL;
	if (arg.array == NULL)
		return 0; /* -EFAULT after the permission check, as Linux */
	r = semset_get(id, &m);
	if (r != 0)
		return r == -EACCES ? 0 : r;
	*out = malloc((size_t)m->nsems * sizeof(**out));
	if (*out != NULL)
		memcpy(*out, arg.array, (size_t)m->nsems * sizeof(**out));
	semset_put(m);
	return *out == NULL ? -ENOMEM : 0;
}

int ref_semctl(ref_sem_iut_t *self, int id, int semnum, int cmd, union ipcconf_semun arg)
{
	unsigned short *setall = NULL;
	struct semset_state st;
	struct semset_map *m;
	struct semid_ds in;
	bool wake, gone, changed = false;
	int r;

	(void)self;
	/* Linux ipc_parse_version(): IPC_64 only names the layout, always the C library's here. */
	if (cmd > 0)
		cmd &= ~IPC_64;
	if (id < 0 || !known_cmd(cmd))
		return -EINVAL;
	/* Linux semctl_setval(): the value first of all. */
	if (cmd == SETVAL && (arg.val < 0 || arg.val > SEM_VMX))
		return -ERANGE;
	if ((cmd == IPC_STAT || cmd == IPC_SET) && arg.buf == NULL)
		return -EFAULT;
	if (cmd == IPC_SET)
		in = *arg.buf;
	if (cmd == SETALL) {
		r = copy_setall(id, arg, &setall);
		if (r != 0)
			return r;
	}
	r = semset_get(id, &m);
	/* A file the caller cannot open: its class has neither read nor write; the owner's has. */
	if (r == -EACCES && (cmd == IPC_SET || cmd == IPC_RMID))
		r = -EPERM;
	if (r != 0) {
		free(setall);
		return r;
	}
	semset_lock(m, &st, &wake);
	if (removed(m)) {
		r = -EINVAL;
	} else if (cmd == IPC_STAT) {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_perms(&p, S_IRUGO);
		if (r == 0)
			stat_locked(m, &st, arg.buf);
	} else if (cmd == IPC_SET) {
		r = set_locked(&st, &in);
	} else if (cmd == IPC_RMID) {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_owner(&p) ? 0 : -EPERM;
		if (r == 0) {
			semset_remove_locked(m);
			changed = true; /* every sleeper wakes, to leave with EIDRM */
		}
	} else {
		r = values_locked(m, &st, semnum, cmd, arg, setall, &changed);
	}
	gone = removed(m);
	semset_unlock(m, &st, wake || changed);
	if (r == 0 && cmd == IPC_SET) {
		/* Best effort: the file lets in whom the new owner and mode do (shm_obj.h). */
		if (fchown(m->fd, st.uid, st.gid) != 0) {
			/* Not ours to give away: the owner's class keeps its access. */
		}
		fchmod(m->fd, ref_shm_obj_file_mode(st.mode));
	}
	if (gone)
		semset_forget(m);
	semset_put(m);
	free(setall);
	return r;
}
