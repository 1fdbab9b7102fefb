/*
 * The mq table: mq_open(3) ... mq_unlink(3) over the queues of mq.h,
 * with Linux's rules (ipc/mqueue.c): name and attribute checks, limits
 * from /proc/sys/fs/mqueue, the order of the argument checks, timeouts
 * checked on entry, calls restarted after SA_RESTART handlers, and
 * notification as __do_notify() does it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/mq.h"
#include "impl/ref/qcore.h"
#include "impl/ref/shm_obj.h"
#include "impl/ref/tables.h"
#include "impl/ring/ring_record.h"
#include "impl/sync/sync_alive.h"

/* Linux's HARD_MSGMAX and HARD_MSGSIZEMAX: the bounds for a process with CAP_SYS_RESOURCE. */
#define HARD_MSGMAX 65536
#define HARD_MSGSIZEMAX (16 * 1024 * 1024)

struct mq_limits {
	long msg_max, msgsize_max, msg_default, msgsize_default;
};

/* /proc/sys/fs/mqueue now (a private IPC namespace may have its own), else Linux's defaults. */
static void read_limits(struct mq_limits *l)
{
	l->msg_max = ref_sysctl("/proc/sys/fs/mqueue/msg_max", 10);
	l->msgsize_max = ref_sysctl("/proc/sys/fs/mqueue/msgsize_max", 8192);
	l->msg_default = ref_sysctl("/proc/sys/fs/mqueue/msg_default", 10);
	l->msgsize_default = ref_sysctl("/proc/sys/fs/mqueue/msgsize_default", 8192);
}

/* The process's umask, without changing it (/proc/self/status says it since Linux 4.7). */
static mode_t current_umask(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	mode_t m;

	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			char *p;

			buf[n] = '\0';
			p = strstr(buf, "\nUmask:");
			if (p != NULL)
				return (mode_t)strtoul(p + 7, NULL, 8) & 0777;
		}
	}
	m = umask(022);
	umask(m);
	return m;
}

/* Linux generic_permission() on the queue's owner, group and mode, for the access asked. */
static int may_open(const struct mq_obj *q, int accmode)
{
	int want = accmode == O_RDONLY ? 4 : accmode == O_WRONLY ? 2 : 6;
	uid_t euid = geteuid();
	int granted;

	if (euid == q->uid)
		granted = (int)q->mode >> 6;
	else if (ref_in_group(q->gid))
		granted = (int)q->mode >> 3;
	else
		granted = (int)q->mode;
	if ((want & ~granted & 7) == 0 || ref_capable(CAP_DAC_OVERRIDE) ||
	    (want == 4 && ref_capable(CAP_DAC_READ_SEARCH)))
		return 0;
	return -EACCES;
}

/* Linux mq_attr_ok() for a new queue's attributes: 0 with the sizes, or -EINVAL. */
static int check_attr(const struct mq_attr *attr, uint32_t *maxmsg, uint32_t *msgsize)
{
	struct mq_limits l;

	read_limits(&l);
	if (attr == NULL) {
		*maxmsg = (uint32_t)(l.msg_default < l.msg_max ? l.msg_default : l.msg_max);
		*msgsize = (uint32_t)(l.msgsize_default < l.msgsize_max ? l.msgsize_default
									: l.msgsize_max);
		return *maxmsg > 0 && *msgsize > 0 ? 0 : -EINVAL;
	}
	if (attr->mq_maxmsg <= 0 || attr->mq_msgsize <= 0)
		return -EINVAL;
	if (ref_capable(CAP_SYS_RESOURCE)) {
		if (attr->mq_maxmsg > HARD_MSGMAX || attr->mq_msgsize > HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (attr->mq_maxmsg > l.msg_max || attr->mq_msgsize > l.msgsize_max) {
		return -EINVAL;
	}
	*maxmsg = (uint32_t)attr->mq_maxmsg;
	*msgsize = (uint32_t)attr->mq_msgsize;
	return 0;
}

/*
 * Linux mqueue_get_inode(): what a queue charges against RLIMIT_MSGQUEUE
 * (its messages, and a struct msg_msg and a tree node for each).
 */
static uint64_t charge(uint64_t maxmsg, uint64_t msgsize)
{
	return maxmsg * msgsize + maxmsg * 48 + (maxmsg < MQ_PRIO_LIMIT ? maxmsg : MQ_PRIO_LIMIT) * 48;
}

/* The charge of an existing queue file of the caller's, from its header: 0 when unreadable. */
static uint64_t charge_of(int dir, const char *leaf)
{
	struct mq_shared hdr;
	uint64_t c = 0;
	int fd = openat(dir, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &hdr, offsetof(struct mq_shared, lock), 0) ==
		    (ssize_t)offsetof(struct mq_shared, lock) &&
	    atomic_load(&hdr.magic) == MQ_MAGIC && hdr.maxmsg <= HARD_MSGMAX &&
	    hdr.msgsize <= HARD_MSGSIZEMAX)
		c = charge(hdr.maxmsg, hdr.msgsize);
	close(fd);
	return c;
}

/*
 * Linux mqueue_create_attr() and mqueue_get_inode(): ENOSPC when
 * queues_max queues exist (without CAP_SYS_RESOURCE), EMFILE when the
 * queues of the caller's user would charge more than RLIMIT_MSGQUEUE.
 * The queues are the names in /dev/shm (see ref_iut.h for what that
 * misses).
 */
static int check_quota(uint32_t maxmsg, uint32_t msgsize)
{
	struct rlimit rl;
	bool limited = getrlimit(RLIMIT_MSGQUEUE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
	bool privileged = ref_capable(CAP_SYS_RESOURCE);
	long queues_max = ref_sysctl("/proc/sys/fs/mqueue/queues_max", 256);
	uint64_t used = charge(maxmsg, msgsize);
	uid_t me = getuid();
	long count = 0;
	struct dirent *e;
	DIR *d;

	if (privileged && !limited)
		return 0;
	d = opendir(REF_SHM_DIR);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(e->d_name, MQ_LEAF_PREFIX, sizeof(MQ_LEAF_PREFIX) - 1) != 0)
			continue;
		count++;
		if (limited && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == me)
			used += charge_of(dirfd(d), e->d_name);
	}
	closedir(d);
	if (!privileged && count >= queues_max)
		return -ENOSPC;
	if (limited && used > (uint64_t)rl.rlim_cur)
		return -EMFILE;
	return 0;
}

/* Finds or makes the queue: a mapped object not yet on the process's list. */
static int find_or_make(const char *leaf, const char *rest, int flags, mode_t mode,
			const struct mq_attr *attr, struct mq_obj **out)
{
	uint32_t maxmsg, msgsize;
	int err = -ENOENT;

	for (int tries = 0; tries < 16; tries++) {
		err = ref_mq_obj_attach(leaf, rest, out);
		if (err == 0) {
			/* Linux prepare_open(), for a queue that exists. */
			if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
				err = -EEXIST;
			else if ((flags & O_ACCMODE) == O_ACCMODE)
				err = -EINVAL;
			else
				err = may_open(*out, flags & O_ACCMODE);
			if (err != 0)
				ref_mq_obj_free(*out);
			return err;
		}
		if (err != -ENOENT || !(flags & O_CREAT))
			return err;
		err = check_attr(attr, &maxmsg, &msgsize);
		if (err == 0 && (flags & O_ACCMODE) == O_ACCMODE)
			err = -EINVAL;
		if (err == 0)
			err = check_quota(maxmsg, msgsize);
		if (err == 0)
			err = ref_mq_obj_create(leaf, rest, maxmsg, msgsize,
					    (uint32_t)(mode & ~current_umask() & 0777), out);
		if (err != -EEXIST || (flags & O_EXCL))
			return err;
		/* Another process made it meanwhile: open that one. */
	}
	return err;
}

/*
 * Registers a new open description of q and gives it a handle.  Under
 * the queue lock, so that a queue nobody holds (every holder closed or
 * died) gets its status-flag table back first, as a FIFO does.
 */
static int install(struct mq_obj *q, int flags)
{
	struct mq_notify_reg reg;
	struct ref_ofd *ofd = NULL;
	int h;

	ref_mq_lock(q, &reg);
	if (!holders_any(&q->sh->holders, HOLDER_READERS | HOLDER_WRITERS)) {
		holders_forget_dead(&q->sh->holders);
		ofd_flags_reset(&q->sh->ofd_flags);
	}
	ref_lock();
	ref_obj_register_locked(&q->obj);
	h = ref_ofd_new_locked(&q->obj, 0, flags & O_ACCMODE, (flags & O_NONBLOCK) != 0, &ofd);
	if (h == 0)
		h = ref_handle_install_locked(ofd);
	ref_unlock();
	ref_mq_unlock(q, &reg);
	/* The last release unmaps the object. */
	if (h < 0 && ofd != NULL)
		ref_ofd_abandon(ofd);
	else if (h < 0)
		ref_obj_abandon(&q->obj);
	return h;
}

static int ref_mq_open(const struct ipcconf_iut *self, const char *name, int flags, mode_t mode,
		       const struct mq_attr *attr)
{
	char leaf[REF_SHM_LEAF_MAX];
	struct mq_obj *q;
	int err;

	(void)self;
	err = ref_mq_name_leaf(name, leaf, sizeof leaf);
	if (err != 0)
		return err;
	ref_init_once();
	err = find_or_make(leaf, name + 1, flags, mode, (flags & O_CREAT) ? attr : NULL, &q);
	if (err != 0)
		return err;
	return install(q, flags);
}

static int ref_mq_unlink(const struct ipcconf_iut *self, const char *name)
{
	char leaf[REF_SHM_LEAF_MAX];
	int err;

	(void)self;
	err = ref_mq_name_leaf(name, leaf, sizeof leaf);
	if (err != 0)
		return err;
	err = ref_shm_obj_unlink(leaf);
	return err == -EPERM ? -EACCES : err;
}

/* The open description of a queue handle, kept until ref_handle_put(): 0 or -EBADF. */
static int get_queue(int h, struct ref_ofd **f, struct mq_obj **q)
{
	*f = ref_handle_get(h);
	if (*f == NULL)
		return -EBADF;
	if ((*f)->obj->kind != REF_OBJ_MQ) {
		ref_handle_put(*f);
		return -EBADF;
	}
	*q = mq_obj_of((*f)->obj);
	return 0;
}

/* The kernel's notification signal: SI_MESGQ, from the sending process. */
static void deliver(const struct mq_notify_reg *reg)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	si.si_signo = reg->signo;
	si.si_code = SI_MESGQ;
	si.si_pid = getpid();
	si.si_uid = getuid();
	memcpy(&si.si_value, &reg->value,
	       sizeof(si.si_value) < sizeof(reg->value) ? sizeof(si.si_value) : sizeof(reg->value));
	if (syscall(SYS_rt_sigqueueinfo, (pid_t)reg->pid, reg->signo, &si) != 0)
		kill((pid_t)reg->pid, reg->signo);
}

/*
 * Linux __do_notify(), under the lock after a message went into an empty
 * queue that no receiver waits on: the registration goes; a signal to
 * send (to a process still alive) is copied to *send.
 */
static void notify_locked(struct mq_obj *q, struct mq_notify_reg *reg, struct mq_notify_reg *send)
{
	if (reg->pid == 0 || holders_any(&q->sh->receivers, HOLDER_READERS))
		return;
	if (reg->kind == SIGEV_SIGNAL && reg->signo != 0 &&
	    (reg->pid == (int32_t)getpid() || sync_process_alive((pid_t)reg->pid)))
		*send = *reg;
	memset(reg, 0, sizeof(*reg));
}

/* One attempt at a send, under the lock: 0, -EAGAIN (full), or -errno. */
static int send_locked(struct mq_obj *q, struct mq_notify_reg *reg, const char *msg, size_t len,
		       unsigned prio, struct mq_notify_reg *send)
{
	uint32_t cur = atomic_load(&q->sh->curmsgs);
	ssize_t r;

	if (cur >= q->maxmsg)
		return -EAGAIN;
	r = ring_record_try_push_type(&q->ring, msg, len, (uint16_t)prio);
	if (r == -EUCLEAN) {
		ref_mq_recover_locked(q);
		cur = 0;
		r = ring_record_try_push_type(&q->ring, msg, len, (uint16_t)prio);
	}
	if (r < 0)
		return r == -EMSGSIZE || r == -EUCLEAN ? -EAGAIN : (int)r;
	atomic_store(&q->sh->curmsgs, ++cur);
	if (cur == 1)
		notify_locked(q, reg, send);
	return 0;
}

static int ref_mq_send(const struct ipcconf_iut *self, int h, const char *msg, size_t len,
		       unsigned prio, const struct timespec *abs_timeout)
{
	struct mq_notify_reg send = { 0 };
	struct ref_qcore_wait qw = { .abs = abs_timeout };
	_Atomic uint32_t *word, *waiters;
	struct ref_ofd *f;
	struct mq_obj *q;
	bool nonblock;
	int r;

	(void)self;
	/* Linux: the timeout (prepare_timeout) and the priority before the descriptor. */
	if (abs_timeout != NULL && ref_qcore_timespec_bad(abs_timeout))
		return -EINVAL;
	if (prio >= MQ_PRIO_LIMIT)
		return -EINVAL;
	r = get_queue(h, &f, &q);
	if (r != 0)
		return r;
	if (!ofd_writes(f)) {
		ref_handle_put(f);
		return -EBADF;
	}
	if (len > q->msgsize) {
		ref_handle_put(f);
		return -EMSGSIZE;
	}
	nonblock = ref_ofd_nonblock(f);
	word = ring_room_seq(&q->ring, &waiters);
	for (;;) {
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		struct mq_notify_reg reg;
		int w;

		ref_mq_lock(q, &reg);
		r = send_locked(q, &reg, msg, len, prio, &send);
		ref_mq_unlock(q, &reg);
		if (r != -EAGAIN || nonblock)
			break;
		w = ref_qcore_wait(&qw, word, seen, waiters);
		if (w == -ETIMEDOUT || w == -EINTR) {
			r = w;
			break;
		}
		/* -ERESTART: mq_send(3) is restarted after an SA_RESTART handler (signal(7)). */
	}
	ref_qcore_wait_end(&qw);
	ref_handle_put(f);
	if (send.pid != 0)
		deliver(&send);
	return r;
}

static ssize_t ref_mq_receive(const struct ipcconf_iut *self, int h, char *msg, size_t len,
			      unsigned *prio, const struct timespec *abs_timeout)
{
	static const struct ring_rec_sel highest = { .match = RING_REC_HIGHEST,
						     .flags = RING_REC_TRUNC };
	struct ref_qcore_wait qw = { .abs = abs_timeout };
	_Atomic uint32_t *word, *waiters;
	uint32_t self_pid = (uint32_t)getpid();
	struct ref_ofd *f;
	struct mq_obj *q;
	bool nonblock, claimed = false;
	uint16_t type = 0;
	int slot = -1;
	ssize_t r;

	(void)self;
	if (abs_timeout != NULL && ref_qcore_timespec_bad(abs_timeout))
		return -EINVAL;
	r = get_queue(h, &f, &q);
	if (r != 0)
		return r;
	if (!ofd_reads(f)) {
		ref_handle_put(f);
		return -EBADF;
	}
	if (len < q->msgsize) {
		ref_handle_put(f);
		return -EMSGSIZE;
	}
	nonblock = ref_ofd_nonblock(f);
	word = ring_data_seq(&q->ring, &waiters);
	for (;;) {
		uint32_t seen = atomic_load_explicit(word, memory_order_acquire);
		struct mq_notify_reg reg;
		int w;

		ref_mq_lock(q, &reg);
		r = ring_record_try_pop_sel(&q->ring, msg, len, &highest, &type);
		if (r == -EUCLEAN) {
			ref_mq_recover_locked(q);
			r = -EAGAIN;
		}
		if (r >= 0) {
			uint32_t cur = atomic_load(&q->sh->curmsgs);

			atomic_store(&q->sh->curmsgs, cur > 0 ? cur - 1 : 0);
			/* A record longer than mq_msgsize was not sent here: cut to the buffer. */
			if ((size_t)r > len)
				r = (ssize_t)len;
			if (slot >= 0)
				holders_drop(&q->sh->receivers, slot, self_pid);
			slot = -1;
		} else if (r == -EAGAIN && !nonblock && !claimed) {
			/* Counted as blocked before the lock goes: a send now will not notify. */
			slot = holders_claim(&q->sh->receivers, self_pid, 1, 0);
			claimed = true;
		}
		ref_mq_unlock(q, &reg);
		if (r != -EAGAIN || nonblock)
			break;
		w = ref_qcore_wait(&qw, word, seen, waiters);
		if (w == -ETIMEDOUT || w == -EINTR) {
			r = w;
			break;
		}
	}
	ref_qcore_wait_end(&qw);
	if (slot >= 0)
		holders_drop(&q->sh->receivers, slot, self_pid);
	ref_handle_put(f);
	if (r >= 0 && prio != NULL)
		*prio = type;
	return r;
}

static void fill_attr(struct ref_ofd *f, struct mq_obj *q, struct mq_attr *attr)
{
	uint32_t cur = atomic_load(&q->sh->curmsgs);

	memset(attr, 0, sizeof(*attr));
	attr->mq_flags = ref_ofd_nonblock(f) ? O_NONBLOCK : 0;
	attr->mq_maxmsg = q->maxmsg;
	attr->mq_msgsize = q->msgsize;
	attr->mq_curmsgs = cur < q->maxmsg ? cur : q->maxmsg;
}

static int ref_mq_getattr(const struct ipcconf_iut *self, int h, struct mq_attr *attr)
{
	struct ref_ofd *f;
	struct mq_obj *q;
	int r;

	(void)self;
	if (attr == NULL)
		return -EFAULT;
	r = get_queue(h, &f, &q);
	if (r != 0)
		return r;
	fill_attr(f, q, attr);
	ref_handle_put(f);
	return 0;
}

/* Linux mq_getsetattr(): flags other than O_NONBLOCK are EINVAL; the rest of attr is ignored. */
static int ref_mq_setattr(const struct ipcconf_iut *self, int h, const struct mq_attr *attr,
			  struct mq_attr *old)
{
	struct ref_ofd *f;
	struct mq_obj *q;
	int r;

	(void)self;
	if (attr != NULL && (attr->mq_flags & ~(long)O_NONBLOCK))
		return -EINVAL;
	r = get_queue(h, &f, &q);
	if (r != 0)
		return r;
	if (old != NULL)
		fill_attr(f, q, old);
	if (attr != NULL)
		ref_ofd_set_nonblock(f, (attr->mq_flags & O_NONBLOCK) != 0);
	ref_handle_put(f);
	return 0;
}

/*
 * Linux do_mq_notify(): EINVAL for an unknown sigev_notify or signal
 * (before the descriptor is looked at), EBUSY while another registration
 * stands (the caller's own too), and NULL removes the caller's.
 * SIGEV_THREAD is not modelled: EINVAL (ref_iut.h).
 */
static int ref_mq_notify(const struct ipcconf_iut *self, int h, const struct sigevent *sev)
{
	int32_t me = (int32_t)getpid();
	struct mq_notify_reg reg;
	struct ref_ofd *f;
	struct mq_obj *q;
	int r;

	(void)self;
	if (sev != NULL) {
		if (sev->sigev_notify != SIGEV_NONE && sev->sigev_notify != SIGEV_SIGNAL)
			return -EINVAL;
		if (sev->sigev_notify == SIGEV_SIGNAL && (unsigned)sev->sigev_signo > 64)
			return -EINVAL;
	}
	r = get_queue(h, &f, &q);
	if (r != 0)
		return r;
	ref_mq_lock(q, &reg);
	if (sev == NULL) {
		if (reg.pid == me)
			memset(&reg, 0, sizeof reg);
	} else if (reg.pid != 0 && (reg.pid == me || sync_process_alive((pid_t)reg.pid))) {
		r = -EBUSY;
	} else {
		memset(&reg, 0, sizeof reg);
		reg.pid = me;
		reg.kind = sev->sigev_notify;
		reg.signo = sev->sigev_notify == SIGEV_SIGNAL ? sev->sigev_signo : 0;
		memcpy(&reg.value, &sev->sigev_value,
		       sizeof(sev->sigev_value) < sizeof(reg.value) ? sizeof(sev->sigev_value)
								     : sizeof(reg.value));
	}
	ref_mq_unlock(q, &reg);
	ref_handle_put(f);
	return r;
}

const struct ipcconf_mq_ops ref_mq_ops = {
	.head = IPCCONF_TABLE_HEAD(struct ipcconf_mq_ops, IPCCONF_MQ_CAP_NOTIFY |
								 IPCCONF_MQ_CAP_POLL |
								 IPCCONF_MQ_CAP_SETATTR),
	.open = ref_mq_open,
	.unlink = ref_mq_unlink,
	.send = ref_mq_send,
	.receive = ref_mq_receive,
	.getattr = ref_mq_getattr,
	.setattr = ref_mq_setattr,
	.notify = ref_mq_notify,
};
