/*
 * The msgq table: msgget(2), msgsnd(2), msgrcv(2) and msgctl(2) over the
 * queues of msgq.h, with Linux's rules (ipc/msg.c): the order of the
 * argument checks, msg_qbytes bounding both the bytes and the number of
 * messages, the selection modes, E2BIG and MSG_NOERROR, MSG_COPY, and
 * blocked calls that never restart after a signal handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "impl/ref/msgq.h"
#include "impl/ref/qcore.h"
#include "impl/ref/shm_obj.h"
#include "impl/ref/tables.h"
#include "impl/ring/ring_record.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef IPC_64
#define IPC_64 0x0100
#endif

/* The kernel's names for "read by anyone" and "write by anyone" (ipcperms() requests). */
#define S_IRUGO (S_IRUSR | S_IRGRP | S_IROTH)
#define S_IWUGO (S_IWUSR | S_IWGRP | S_IWOTH)

#define MSGMNB_DEFAULT 16384 /* Linux's MSGMNB, where /proc cannot tell */
#define MSGMAX_DEFAULT 8192  /* Linux's MSGMAX */

/* /proc/sys/kernel/msgmnb now: a new queue's msg_qbytes, and IPC_SET's bound. */
static uint64_t msgmnb(void)
{
	return (uint64_t)ref_sysctl("/proc/sys/kernel/msgmnb", MSGMNB_DEFAULT);
}

/* /proc/sys/kernel/msgmax, read once per process: msgsnd(2) checks it on every call. */
static long msgmax(void)
{
	static _Atomic long cached;
	long v = atomic_load_explicit(&cached, memory_order_relaxed);

	if (v == 0) {
		v = ref_sysctl("/proc/sys/kernel/msgmax", MSGMAX_DEFAULT);
		atomic_store_explicit(&cached, v, memory_order_relaxed);
	}
	return v;
}

static uint16_t ring_type(long mtype)
{
	return mtype < (long)MSGQ_BIG_TYPE ? (uint16_t)mtype : MSGQ_BIG_TYPE;
}

static struct ref_ipc_perm perm_of(const struct msgq_state *st)
{
	return (struct ref_ipc_perm){ .uid = st->uid, .gid = st->gid, .cuid = st->cuid,
				      .cgid = st->cgid, .mode = st->mode & 0777 };
}

/* ---- the state under the queue lock ---- */

/* Discards a corrupted ring (it has lost its messages) and the counts with it. */
static void recover_locked(struct msgq_map *m, struct msgq_state *st)
{
	ring_recover(m->base + MSGQ_HDR_SIZE, m->size - MSGQ_HDR_SIZE);
	st->qnum = 0;
	st->cbytes = 0;
}

/* The counts again from the ring; records too short to hold an mtype are dropped. */
static void recount_locked(struct msgq_map *m, struct msgq_state *st)
{
	struct qcore_drained d;
	size_t keep = 0;
	int err = ref_qcore_drain(&m->ring, &d);

	if (err == -ENOMEM)
		return; /* nothing taken: the counts stay as they were */
	if (err < 0) {
		ref_qcore_drained_free(&d);
		recover_locked(m, st);
		return;
	}
	st->qnum = 0;
	st->cbytes = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (d.rec[i].len < sizeof(long))
			continue;
		d.rec[keep++] = d.rec[i];
		st->qnum++;
		st->cbytes += d.rec[i].len - sizeof(long);
	}
	d.n = keep;
	if (ref_qcore_refill(&m->ring, &d, SIZE_MAX) != 0)
		recover_locked(m, st);
	ref_qcore_drained_free(&d);
}

/*
 * Takes the queue lock and copies the state out: fields a peer may have
 * broken are checked, and counts that cannot be true (or a holder killed
 * inside the lock) are recounted.
 */
static void lock_state(struct msgq_map *m, struct msgq_state *st)
{
	bool dirty = ref_qcore_lock(&m->sh->lock, &m->sh->dirty);

	memcpy(st, (const void *)&m->sh->st, sizeof(*st));
	st->mode &= 0777;
	if (dirty)
		ref_qcore_ring_unlock_dead(&m->ring);
	if (dirty || st->qnum > m->data_size / RING_REC_HDR_SIZE || st->cbytes > m->data_size)
		recount_locked(m, st);
}

static void unlock_state(struct msgq_map *m, const struct msgq_state *st)
{
	memcpy((void *)&m->sh->st, st, sizeof(*st));
	ref_qcore_unlock(&m->sh->lock, &m->sh->dirty);
}

/* A queue marked removed, seen under its lock: finish the removal of its names. */
static bool removed_locked(struct msgq_map *m)
{
	if (atomic_load(&m->sh->removed) == 0)
		return false;
	ref_msgq_unlink_names(m);
	return true;
}

/* ---- msgget ---- */

/* The queue's file exists but cannot be opened by the caller: check against the file's mode. */
static int get_unopenable(int id, int flags)
{
	char leaf[64], path[sizeof(REF_SHM_DIR) + 64];
	struct stat st;
	struct ref_ipc_perm p;

	ref_msgq_id_leaf(id, leaf, sizeof leaf);
	snprintf(path, sizeof path, REF_SHM_DIR "/%s", leaf);
	if (stat(path, &st) != 0)
		return -EACCES;
	p = (struct ref_ipc_perm){ .uid = st.st_uid, .cuid = st.st_uid, .gid = st.st_gid,
				   .cgid = st.st_gid, .mode = st.st_mode & 0777 };
	return ref_ipc_perms(&p, flags & 0777) != 0 ? -EACCES : id;
}

/* An existing queue for the key: its id, -EINVAL when it went away meanwhile (look again). */
static int get_existing(int id, int flags)
{
	struct msgq_map *m;
	struct msgq_state st;
	int err = ref_msgq_map_get(id, &m);

	if (err == -EACCES)
		return get_unopenable(id, flags);
	if (err != 0)
		return err;
	lock_state(m, &st);
	if (removed_locked(m)) {
		err = -EINVAL;
	} else {
		struct ref_ipc_perm p = perm_of(&st);

		err = ref_ipc_perms(&p, flags & 0777);
	}
	unlock_state(m, &st);
	if (err == -EINVAL)
		ref_msgq_map_forget(m);
	ref_msgq_map_put(m);
	return err != 0 ? err : id;
}

static int ref_msgget(const struct ipcconf_iut *self, key_t key, int flags)
{
	uint32_t mode = (uint32_t)flags & 0777;

	(void)self;
	if (key == IPC_PRIVATE)
		return ref_msgq_create(0, mode, msgmnb());
	for (int tries = 0; tries < 64; tries++) {
		int id = ref_msgq_key_id(key);

		if (id >= 0) {
			/* Linux ipcget_public(): EEXIST before any permission check. */
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				return -EEXIST;
			id = get_existing(id, flags);
			if (id != -EINVAL)
				return id;
			continue; /* removed meanwhile: its key is free now */
		}
		if (id != -ENOENT)
			return id;
		if (!(flags & IPC_CREAT))
			return -ENOENT;
		id = ref_msgq_create(key, mode, msgmnb());
		if (id != -EEXIST)
			return id;
		/* Another process made the key's queue meanwhile. */
	}
	return -ENOSPC;
}

/* ---- msgsnd ---- */

static int send_locked(struct msgq_map *m, struct msgq_state *st, const void *msg, size_t size,
		       long mtype)
{
	ssize_t r;

	/* Linux msg_fits_inqueue(): msg_qbytes bounds the bytes and the number of messages. */
	if (size + st->cbytes > st->qbytes || st->qnum + 1 > st->qbytes)
		return -EAGAIN;
	r = ring_record_try_push_type(&m->ring, msg, size + sizeof(long), ring_type(mtype));
	if (r == -EUCLEAN) {
		recover_locked(m, st);
		r = ring_record_try_push_type(&m->ring, msg, size + sizeof(long), ring_type(mtype));
	}
	/* Room that the ring cannot give (holes, a broken peer): wait, as for a full queue. */
	if (r == -EMSGSIZE || r == -EUCLEAN)
		r = -EAGAIN;
	if (r < 0)
		return (int)r;
	st->qnum++;
	st->cbytes += size;
	st->lspid = (int32_t)getpid();
	st->stime = (int64_t)time(NULL);
	return 0;
}

static int ref_msgsnd(const struct ipcconf_iut *self, int id, const void *msg, size_t size,
		      int flags)
{
	struct ref_qcore_wait qw = { .abs = NULL };
	_Atomic uint32_t *word, *waiters;
	struct msgq_map *m;
	bool waited = false, gone = false;
	long mtype;
	int r;

	(void)self;
	if (msg == NULL)
		return -EFAULT;
	memcpy(&mtype, msg, sizeof mtype);
	/* Linux do_msgsnd(): mtype first, then the size and the id. */
	if (mtype < 1)
		return -EINVAL;
	if ((ssize_t)size < 0 || (long)size > msgmax() || id < 0)
		return -EINVAL;
	r = ref_msgq_map_get(id, &m);
	if (r != 0)
		return r;
	word = ring_room_seq(&m->ring, &waiters);
	for (;;) {
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		struct msgq_state st;
		int w;

		lock_state(m, &st);
		if (removed_locked(m)) {
			gone = true;
			r = waited ? -EIDRM : -EINVAL;
		} else {
			struct ref_ipc_perm p = perm_of(&st);

			r = ref_ipc_perms(&p, S_IWUGO);
			if (r == 0)
				r = send_locked(m, &st, msg, size, mtype);
		}
		unlock_state(m, &st);
		if (r != -EAGAIN || (flags & IPC_NOWAIT))
			break;
		w = ref_qcore_wait(&qw, word, seen, waiters);
		/* msgsnd(2) is never restarted after a handler (signal(7)). */
		if (w == -EINTR || w == -ERESTART) {
			r = -EINTR;
			break;
		}
		waited = true;
	}
	ref_qcore_wait_end(&qw);
	if (gone)
		ref_msgq_map_forget(m);
	ref_msgq_map_put(m);
	return r;
}

/* ---- msgrcv ---- */

struct recv_args {
	void *msg;
	size_t size; /* of mtext */
	long type;
	int flags;
};

/* The records' mtype, from the payload (a record too short for one matches nothing). */
static bool rec_mtype(const struct qcore_drained *d, size_t i, long *mtype)
{
	if (d->rec[i].len < sizeof(long))
		return false;
	memcpy(mtype, d->buf + d->rec[i].off, sizeof(long));
	return true;
}

/* Linux find_msg() over every record: the index msgrcv takes, or SIZE_MAX. */
static size_t select_slow(const struct qcore_drained *d, const struct recv_args *a)
{
	long le = a->type == LONG_MIN ? LONG_MAX : -a->type;
	size_t pick = SIZE_MAX;
	long best = 0, count = 0, mt;

	for (size_t i = 0; i < d->n; i++) {
		if (!rec_mtype(d, i, &mt))
			continue;
		if (a->flags & MSG_COPY) {
			if (count++ == a->type)
				return i;
		} else if (a->type == 0) {
			return i;
		} else if (a->type > 0) {
			if ((a->flags & MSG_EXCEPT) ? mt != a->type : mt == a->type)
				return i;
		} else if (mt <= le && (pick == SIZE_MAX || mt < best)) {
			pick = i;
			best = mt;
		}
	}
	return pick;
}

/*
 * What the ring's selectors cannot do (MSG_COPY, types of MSGQ_BIG_TYPE
 * and beyond): every record out, choose, the others back in order.
 */
static ssize_t take_slow(struct msgq_map *m, struct msgq_state *st, const struct recv_args *a,
			 size_t *text)
{
	struct qcore_drained d;
	size_t pick, len, skip;
	ssize_t r;
	int err = ref_qcore_drain(&m->ring, &d);

	if (err == -ENOMEM)
		return -ENOMEM;
	if (err < 0) {
		ref_qcore_drained_free(&d);
		recover_locked(m, st);
		return -EAGAIN;
	}
	pick = select_slow(&d, a);
	skip = SIZE_MAX;
	if (pick == SIZE_MAX) {
		r = -EAGAIN;
	} else if ((len = d.rec[pick].len - sizeof(long)) > a->size) {
		/*
		 * Linux do_msgrcv(): E2BIG without MSG_NOERROR; with it, a
		 * MSG_COPY whose copy is too small fails in copy_msg() (EINVAL).
		 */
		r = !(a->flags & MSG_NOERROR) ? -E2BIG : (a->flags & MSG_COPY) ? -EINVAL : 0;
	} else {
		r = 0;
	}
	if (r == 0) {
		size_t n = len < a->size ? len : a->size;

		memcpy(a->msg, d.buf + d.rec[pick].off, sizeof(long) + n);
		*text = len;
		r = (ssize_t)n;
		if (!(a->flags & MSG_COPY))
			skip = pick;
	}
	if (ref_qcore_refill(&m->ring, &d, skip) != 0)
		recount_locked(m, st);
	ref_qcore_drained_free(&d);
	return r;
}

/*
 * Under the lock: removes (or copies) the message the call selects into
 * the caller's buffer.  Its mtext length, copied or not, goes to *text;
 * returns the bytes of mtext copied, -EAGAIN when nothing matches, -E2BIG.
 */
static ssize_t take_locked(struct msgq_map *m, struct msgq_state *st, const struct recv_args *a,
			   size_t *text)
{
	struct ring_rec_sel sel = { .flags = (a->flags & MSG_NOERROR) ? RING_REC_TRUNC : 0 };
	bool fast = !(a->flags & MSG_COPY);
	ssize_t r;

	if (!fast) {
		/* MSG_COPY: by position. */
	} else if (a->type == 0) {
		sel.match = RING_REC_ANY;
	} else if (a->type > 0) {
		sel.match = (a->flags & MSG_EXCEPT) ? RING_REC_NE : RING_REC_EQ;
		sel.type = ring_type(a->type);
		fast = a->type < (long)MSGQ_BIG_TYPE;
	} else {
		long le = a->type == LONG_MIN ? LONG_MAX : -a->type;
		uint16_t got = 0;

		sel.match = RING_REC_LE;
		sel.type = ring_type(le);
		if (le >= (long)MSGQ_BIG_TYPE) {
			/* Exact unless the lowest type in the queue is a big one. */
			r = ring_record_peek_sel(&m->ring, &sel, &got);
			if (r == -EAGAIN)
				return -EAGAIN;
			fast = r >= 0 && got < MSGQ_BIG_TYPE;
		}
	}
	if (!fast)
		return take_slow(m, st, a, text);
	r = ring_record_try_pop_sel(&m->ring, a->msg, a->size + sizeof(long), &sel, NULL);
	if (r == -EUCLEAN) {
		recover_locked(m, st);
		return -EAGAIN;
	}
	if (r < 0)
		return r;
	if ((size_t)r < sizeof(long)) {
		/* Not a message of ours (a broken peer): gone now; the counts again. */
		recount_locked(m, st);
		return -EAGAIN;
	}
	*text = (size_t)r - sizeof(long);
	return (ssize_t)(*text < a->size ? *text : a->size);
}

static ssize_t ref_msgrcv(const struct ipcconf_iut *self, int id, void *msg, size_t size,
			  long type, int flags)
{
	struct recv_args a = { .msg = msg, .size = size, .type = type, .flags = flags };
	struct ref_qcore_wait qw = { .abs = NULL };
	_Atomic uint32_t *word, *waiters;
	struct msgq_map *m;
	bool waited = false, gone = false;
	ssize_t r;

	(void)self;
	if (id < 0 || (ssize_t)size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) && ((flags & MSG_EXCEPT) || !(flags & IPC_NOWAIT)))
		return -EINVAL;
	if (msg == NULL)
		return -EFAULT;
	/* Linux prepare_copy(): a copy is at most msgmax long. */
	if ((flags & MSG_COPY) && (long)a.size > msgmax())
		a.size = (size_t)msgmax();
	r = ref_msgq_map_get(id, &m);
	if (r != 0)
		return r;
	word = ring_data_seq(&m->ring, &waiters);
	for (;;) {
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		struct msgq_state st;
		size_t text = 0;
		int w;

		lock_state(m, &st);
		if (removed_locked(m)) {
			gone = true;
			r = waited ? -EIDRM : -EINVAL;
		} else {
			struct ref_ipc_perm p = perm_of(&st);

			r = ref_ipc_perms(&p, S_IRUGO);
			if (r == 0)
				r = take_locked(m, &st, &a, &text);
			if (r >= 0 && !(flags & MSG_COPY)) {
				st.qnum = st.qnum > 0 ? st.qnum - 1 : 0;
				st.cbytes = st.cbytes > text ? st.cbytes - text : 0;
				st.lrpid = (int32_t)getpid();
				st.rtime = (int64_t)time(NULL);
			}
		}
		unlock_state(m, &st);
		if (r != -EAGAIN)
			break;
		if (flags & IPC_NOWAIT) {
			r = -ENOMSG;
			break;
		}
		w = ref_qcore_wait(&qw, word, seen, waiters);
		/* msgrcv(2) is never restarted after a handler (signal(7)). */
		if (w == -EINTR || w == -ERESTART) {
			r = -EINTR;
			break;
		}
		waited = true;
	}
	ref_qcore_wait_end(&qw);
	if (gone)
		ref_msgq_map_forget(m);
	ref_msgq_map_put(m);
	return r;
}

/* ---- msgctl ---- */

static void stat_locked(const struct msgq_map *m, const struct msgq_state *st,
			struct msqid_ds *buf)
{
	memset(buf, 0, sizeof(*buf));
	buf->msg_perm.__key = m->key;
	buf->msg_perm.uid = st->uid;
	buf->msg_perm.gid = st->gid;
	buf->msg_perm.cuid = st->cuid;
	buf->msg_perm.cgid = st->cgid;
	buf->msg_perm.mode = (unsigned short)(st->mode & 0777);
	buf->msg_stime = (time_t)st->stime;
	buf->msg_rtime = (time_t)st->rtime;
	buf->msg_ctime = (time_t)st->ctime;
	buf->__msg_cbytes = st->cbytes;
	buf->msg_qnum = st->qnum;
	buf->msg_qbytes = st->qbytes;
	buf->msg_lspid = st->lspid;
	buf->msg_lrpid = st->lrpid;
}

/* Linux msgctl_down() IPC_SET: 0 or -errno; the new state in *st. */
static int set_locked(struct msgq_state *st, const struct msqid_ds *in)
{
	struct ref_ipc_perm p = perm_of(st);

	if (!ref_ipc_owner(&p))
		return -EPERM;
	if ((uint64_t)in->msg_qbytes > msgmnb() && !ref_capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (in->msg_perm.uid == (uid_t)-1 || in->msg_perm.gid == (gid_t)-1)
		return -EINVAL;
	st->uid = in->msg_perm.uid;
	st->gid = in->msg_perm.gid;
	st->mode = in->msg_perm.mode & 0777;
	st->qbytes = in->msg_qbytes;
	st->ctime = (int64_t)time(NULL);
	return 0;
}

static int ref_msgctl(const struct ipcconf_iut *self, int id, int cmd, struct msqid_ds *buf)
{
	struct msqid_ds in;
	struct msgq_state st;
	struct msgq_map *m;
	int r;

	(void)self;
	/* Linux ipc_parse_version(): IPC_64 only names the layout, which is always the C library's. */
	if (cmd > 0)
		cmd &= ~IPC_64;
	if (id < 0 || (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID))
		return -EINVAL;
	if (cmd != IPC_RMID && buf == NULL)
		return -EFAULT;
	if (cmd == IPC_SET)
		in = *buf;
	r = ref_msgq_map_get(id, &m);
	/*
	 * A file the caller cannot open is a queue that gives its class
	 * neither read nor write (shm_obj.h): IPC_STAT is EACCES; and since
	 * the owner's class can always open it, IPC_SET and IPC_RMID are EPERM.
	 */
	if (r == -EACCES && cmd != IPC_STAT)
		return -EPERM;
	if (r != 0)
		return r;
	lock_state(m, &st);
	if (removed_locked(m)) {
		r = -EINVAL;
	} else if (cmd == IPC_STAT) {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_perms(&p, S_IRUGO);
		if (r == 0)
			stat_locked(m, &st, buf);
	} else if (cmd == IPC_SET) {
		r = set_locked(&st, &in);
	} else {
		struct ref_ipc_perm p = perm_of(&st);

		r = ref_ipc_owner(&p) ? 0 : -EPERM;
		if (r == 0) {
			atomic_store(&m->sh->removed, 1);
			ref_msgq_unlink_names(m);
		}
	}
	unlock_state(m, &st);
	if (r == 0 && cmd != IPC_STAT) {
		/* IPC_RMID: every waiter leaves with EIDRM; IPC_SET: senders may fit now. */
		ring_wake(&m->ring);
		if (cmd == IPC_SET) {
			/* Best effort: the file lets in whom the new owner and mode do (shm_obj.h). */
			if (fchown(m->fd, st.uid, st.gid) != 0) {
				/* Not ours to give away: the owner's class keeps its access. */
			}
			fchmod(m->fd, ref_shm_obj_file_mode(st.mode));
		}
	}
	if (r == -EINVAL || (r == 0 && cmd == IPC_RMID))
		ref_msgq_map_forget(m);
	ref_msgq_map_put(m);
	return r;
}

const struct ipcconf_msgq_ops ref_msgq_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_msgq_ops, IPCCONF_MSGQ_CAP_EXCEPT |
								   IPCCONF_MSGQ_CAP_COPY |
								   IPCCONF_MSGQ_CAP_CREDENTIALS),
	.get = ref_msgget,
	.send = ref_msgsnd,
	.receive = ref_msgrcv,
	.control = ref_msgctl,
};
