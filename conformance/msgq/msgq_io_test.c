/*
 * System V message queue clauses: what goes in comes out, between
 * processes that share nothing but the key, with several writers and
 * readers at once, in the order it went in (seed:Q1, Q2, Q3).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance/harness/clause.h"
#include "conformance/harness/exec_probe.h"
#include "conformance/msgq/msgq_support.h"

/* ---- a fresh image that knows only the key ---- */

#define EXEC_LEN 64

struct exec_report {
	int32_t get_result;     /* msgget(key, 0) in the exec'd image */
	int32_t send_result;    /* its reply's msgsnd */
	int64_t receive_result; /* its msgrcv of the clause's message */
	int64_t mtype;
	char mtext[EXEC_LEN];
};

static void exec_pattern(char *buf, unsigned seed)
{
	for (unsigned i = 0; i < EXEC_LEN; i++)
		buf[i] = (char)(seed * 31u + i * 7u);
}

/*
 * Runs in the exec'd image: finds the queue by the key (the argument),
 * takes the clause's message and answers with one of type 8.
 */
static void exchange_by_key(const struct ipcconf_iut *self, const struct ipcconf_iut *iut,
			    int out_fd, const char *arg)
{
	struct exec_report r;
	memset(&r, 0, sizeof r);
	r.get_result = r.send_result = -ENOSYS;
	r.receive_result = -ENOSYS;
	if (iut->msgq) {
		char *end;
		key_t key = (key_t)strtol(arg, &end, 10);
		size_t len = (size_t)strtoul(end, NULL, 10);
		if (len > EXEC_LEN)
			len = EXEC_LEN;
		int id = iut->msgq->get(self, key, 0);
		r.get_result = id;
		if (id >= 0) {
			struct msgq_msg m;
			memset(&m, 0, sizeof m);
			r.receive_result = iut->msgq->receive(self, id, &m, sizeof m.mtext, 0, IPC_NOWAIT);
			r.mtype = m.mtype;
			memcpy(r.mtext, m.mtext, EXEC_LEN);
			m.mtype = 8;
			exec_pattern(m.mtext, 8);
			r.send_result = iut->msgq->send(self, id, &m, len, IPC_NOWAIT);
		}
	}
	ipcconf_exec_probe_write(out_fd, &r, sizeof r);
}

EXEC_PROBE(msgq_exchange_by_key, exchange_by_key);

/*
 * POSIX.1-2017 XSH msgget(): "The msgget() function shall return the
 * message queue identifier associated with the argument key"; XSH
 * msgsnd()/msgrcv(): the message's mtype and mtext travel whole;
 * sysvipc(7): a queue is reached by any process through its key.
 * seed:Q1 (a list of formatted messages, named by an identifier), seed:Q2
 * (several processes write and read it).  Checked here: a freshly exec'd
 * image of this program, which inherited nothing but the key, as text,
 * finds the queue with msgget(key, 0), receives the clause's 64-byte
 * message of type 7 byte for byte, and answers with a 64-byte message of
 * type 8 that the clause receives byte for byte (shorter messages where
 * a legal small msg_qbytes or msgmax says so).
 */
CLAUSE(msgq_io_intact_across_exec,
       .id = "msgq.io.intact_across_exec",
       .title = "a process that knows only the key exchanges messages intact, both ways",
       .cites = "seed:Q1; seed:Q2; POSIX.1-2017 XSH msgget(), msgsnd(), msgrcv(); msgop(2); sysvipc(7)")
{
	key_t key;
	int id = msgq_create(t, &key);
	/* 64 bytes, or what a legal small msgmnb or msgmax allows. */
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	size_t len = EXEC_LEN;
	long msgmax = msgq_sysctl("msgmax");
	if (ds.msg_qbytes < len)
		len = ds.msg_qbytes;
	if (msgmax >= 0 && (unsigned long)msgmax < len)
		len = (size_t)msgmax;
	if (len == 0)
		SKIP(t, "no message with text fits (msg_qbytes %lu, msgmax %ld)", (unsigned long)ds.msg_qbytes, msgmax);
	struct msgq_msg out = { .mtype = 7 };
	exec_pattern(out.mtext, 7);
	msgq_put(t, id, 7, out.mtext, len);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		BROKEN(t, "pipe2: %s", strerror(errno));
	char arg[48];
	snprintf(arg, sizeof arg, "%ld %zu", (long)key, len);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		close(p[0]);
		ipcconf_exec_probe(t, "msgq_exchange_by_key", p[1], arg);
	}
	close(p[1]);
	struct exec_report r;
	ipcconf_exec_probe_read(t, p[0], &r, sizeof r, "the exec'd image's exchange");
	close(p[0]);
	ipcconf_join(t, h, "the exec'd helper");
	CHECK_EQ(t, r.get_result, id, "the exec'd image's msgget(key, 0): the same queue");
	CHECK_EQ(t, r.receive_result, len, "the exec'd image's msgrcv length");
	CHECK_EQ(t, r.mtype, 7, "the mtype the exec'd image received");
	CHECK_MEM(t, r.mtext, out.mtext, len, "the bytes the exec'd image received");
	CHECK_EQ(t, r.send_result, 0, "the exec'd image's msgsnd of its reply");
	struct msgq_msg in;
	memset(&in, 0, sizeof in);
	char want[EXEC_LEN];
	exec_pattern(want, 8);
	CHECK_EQ(t, iut_msgrcv(t, id, &in, sizeof in.mtext, 0, IPC_NOWAIT), len, "the reply's length");
	CHECK_EQ(t, in.mtype, 8, "the reply's mtype");
	CHECK_MEM(t, in.mtext, want, len, "the reply's bytes");
}

/* ---- several writers and readers ---- */

#define WRITERS 3
#define READERS 3
#define PER_WRITER 120
#define STOP_TYPE 1000

/* A message of a writer: who, which, a checksum of the payload, the payload. */
struct many_msg {
	long mtype;
	struct {
		uint16_t writer;
		uint16_t seq;
		uint32_t sum;
		unsigned char data[200];
	} body;
};

#define MANY_HEAD (offsetof(struct many_msg, body.data) - offsetof(struct many_msg, body))

/* What the readers tell the clause, in a shared mapping of the clause's own. */
struct many_tally {
	uint32_t seen[WRITERS][PER_WRITER];
	uint32_t bad;             /* malformed messages (length, checksum, bytes) */
	uint32_t per_reader[READERS];
	char first_bad[160];
};

static size_t many_len(unsigned w, unsigned seq, size_t cap)
{
	return 1 + (w * 37u + seq * 13u) % cap;
}

static unsigned char many_byte(unsigned w, unsigned seq, size_t i)
{
	return (unsigned char)(w * 101u + seq * 7u + i * 3u + 1u);
}

static uint32_t fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void many_writer(struct ipcconf_t *t, int id, unsigned w, size_t cap)
{
	struct many_msg m;
	for (unsigned seq = 0; seq < PER_WRITER; seq++) {
		size_t len = many_len(w, seq, cap);
		m.mtype = w + 1;
		m.body.writer = (uint16_t)w;
		m.body.seq = (uint16_t)seq;
		for (size_t i = 0; i < len; i++)
			m.body.data[i] = many_byte(w, seq, i);
		m.body.sum = fnv(m.body.data, len);
		STEP(t, "writer %u: message %u", w, seq);
		int r = iut_msgsnd(t, id, &m, MANY_HEAD + len, 0);
		char b[32];
		REQUIRE(t, r == 0, "writer %u: msgsnd of message %u (%zu bytes): expected 0, got %s", w,
			seq, MANY_HEAD + len, ipcconf_result_name(r, b));
	}
	ipcconf_exit(t);
}

static void many_bad(struct many_tally *tally, const char *fmt, long a, long b)
{
	if (__atomic_fetch_add(&tally->bad, 1, __ATOMIC_SEQ_CST) == 0)
		snprintf(tally->first_bad, sizeof tally->first_bad, fmt, a, b);
}

static void many_reader(struct ipcconf_t *t, int id, unsigned r, size_t cap,
			struct many_tally *tally)
{
	struct many_msg m;
	for (;;) {
		STEP(t, "reader %u: receiving after %u messages", r, tally->per_reader[r]);
		memset(&m, 0, sizeof m);
		ssize_t n = iut_msgrcv(t, id, &m, sizeof m.body, 0, 0);
		char b[32];
		REQUIRE(t, n >= 0, "reader %u: msgrcv: expected a message, got %s", r,
			ipcconf_result_name(n, b));
		if (m.mtype == STOP_TYPE)
			break;
		__atomic_fetch_add(&tally->per_reader[r], 1, __ATOMIC_SEQ_CST);
		unsigned w = m.body.writer, seq = m.body.seq;
		if ((size_t)n < MANY_HEAD + 1 || w >= WRITERS || seq >= PER_WRITER ||
		    m.mtype != (long)w + 1) {
			many_bad(tally, "a message of %ld bytes, type %ld, with no valid writer/sequence",
				 (long)n, m.mtype);
			continue;
		}
		__atomic_fetch_add(&tally->seen[w][seq], 1, __ATOMIC_SEQ_CST);
		size_t len = (size_t)n - MANY_HEAD;
		int ok = len == many_len(w, seq, cap) && m.body.sum == fnv(m.body.data, len);
		for (size_t i = 0; ok && i < len; i++)
			ok = m.body.data[i] == many_byte(w, seq, i);
		if (!ok)
			many_bad(tally, "writer %ld's message %ld arrived with other length or bytes",
				 (long)w, (long)seq);
	}
	ipcconf_exit(t);
}

/*
 * seed:Q2: "One or more processes can write to it and read from it";
 * POSIX.1-2017 XSH msgsnd(): each call places one message on the queue;
 * XSH msgrcv(): each call removes one (msgop(2): "the message is
 * removed from the queue").  So with several writers and readers at once,
 * every message sent is received exactly once, intact.  Checked here:
 * three writers send 120 messages each (lengths 1..200 bytes, each
 * carrying its writer, number and a checksum) while three readers
 * receive with msgtyp 0 and tally them in memory the clause shares with
 * them; once the writers are done, one stop message per reader ends them.
 * Every message must be received exactly once (none lost, none twice),
 * with its length and bytes, and the queue must be empty at the end.
 * Message sizes fit msg_qbytes and msgmax as the system reports them.
 */
CLAUSE(msgq_io_many_writers_many_readers,
       .id = "msgq.io.many_writers_many_readers",
       .title = "with several writers and readers at once, every message is received once, intact",
       .cites = "seed:Q2; seed:Q1; POSIX.1-2017 XSH msgsnd(), msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	size_t cap = sizeof ((struct many_msg *)0)->body.data;
	long msgmax = msgq_sysctl("msgmax");
	/* Legal small limits shrink the messages, never the rule. */
	if (msgmax > 0 && (size_t)msgmax < MANY_HEAD + cap)
		cap = (size_t)msgmax > MANY_HEAD ? (size_t)msgmax - MANY_HEAD : 0;
	if (ds.msg_qbytes < MANY_HEAD + cap)
		cap = ds.msg_qbytes > MANY_HEAD ? ds.msg_qbytes - MANY_HEAD : 0;
	if (cap == 0)
		SKIP(t, "messages of %zu bytes do not fit (msg_qbytes %lu, msgmax %ld)", MANY_HEAD + 1,
		     (unsigned long)ds.msg_qbytes, msgmax);
	struct many_tally *tally = mmap(NULL, sizeof *tally, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		BROKEN(t, "mmap of the tally: %s", strerror(errno));
	pid_t readers[READERS], writers[WRITERS];
	for (unsigned r = 0; r < READERS; r++)
		if ((readers[r] = ipcconf_fork(t)) == 0)
			many_reader(t, id, r, cap, tally);
	for (unsigned w = 0; w < WRITERS; w++)
		if ((writers[w] = ipcconf_fork(t)) == 0)
			many_writer(t, id, w, cap);
	for (unsigned w = 0; w < WRITERS; w++)
		ipcconf_join(t, writers[w], "a writer");
	/* Every message is queued or taken by now: the stops come after them all. */
	struct msgq_msg stop = { .mtype = STOP_TYPE };
	for (unsigned r = 0; r < READERS; r++)
		REQUIRE_OK(t, iut_msgsnd(t, id, &stop, 0, 0), "msgsnd of a reader's stop message");
	for (unsigned r = 0; r < READERS; r++)
		ipcconf_join(t, readers[r], "a reader");
	unsigned lost = 0, twice = 0, total = 0;
	int first_w = -1, first_seq = -1;
	for (unsigned w = 0; w < WRITERS; w++)
		for (unsigned seq = 0; seq < PER_WRITER; seq++) {
			uint32_t n = tally->seen[w][seq];
			total += n;
			if (n == 1)
				continue;
			if (n == 0)
				lost++;
			else
				twice++;
			if (first_w < 0) {
				first_w = (int)w;
				first_seq = (int)seq;
			}
		}
	CHECK(t, lost == 0 && twice == 0,
	      "of %d messages, %u were never received and %u more than once (first: writer %d's message %d)",
	      WRITERS * PER_WRITER, lost, twice, first_w, first_seq);
	CHECK(t, tally->bad == 0, "%u messages arrived damaged; the first: %s", tally->bad, tally->first_bad);
	CHECK_EQ(t, total, WRITERS * PER_WRITER, "messages received in all");
	CHECK_EQ(t, msgq_qnum(t, id), 0, "msg_qnum after every message and stop was received");
	munmap(tally, sizeof *tally);
}

/* ---- order ---- */

#define ORDER_COUNT 40

static void order_text(unsigned i, char *text, size_t size, size_t *len)
{
	*len = (size_t)snprintf(text, size, "message %u%.*s", i, (int)(i % 7), "+++++++");
}

/*
 * seed:Q3: "By default messages leave in the order they entered."
 * POSIX.1-2017 XSH msgrcv(): "If msgtyp is 0, the first message on the
 * queue shall be received"; XSH msgsnd() adds each message to the end
 * of the queue (msgop(2)).  Checked here: a helper sends 40 messages of
 * one type, numbered and of varying lengths (blocking sends, so that a
 * small msg_qbytes only makes it wait); the clause's 40 blocking
 * receives with msgtyp 0 return them in that order, each whole.
 */
CLAUSE(msgq_io_fifo_order,
       .id = "msgq.io.fifo_order",
       .title = "messages are received in the order they were sent (msgtyp 0)",
       .cites = "seed:Q3; POSIX.1-2017 XSH msgsnd(), msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	if (ds.msg_qbytes < 16)
		SKIP(t, "msg_qbytes %lu cannot hold this clause's 16-byte messages", (unsigned long)ds.msg_qbytes);
	pid_t h = ipcconf_fork(t);
	if (h == 0) {
		for (unsigned i = 0; i < ORDER_COUNT; i++) {
			struct msgq_msg m = { .mtype = 5 };
			size_t len;
			order_text(i, m.mtext, sizeof m.mtext, &len);
			STEP(t, "sending message %u", i);
			REQUIRE_EQ(t, iut_msgsnd(t, id, &m, len, 0), 0, "msgsnd of a numbered message");
		}
		ipcconf_exit(t);
	}
	for (unsigned i = 0; i < ORDER_COUNT; i++) {
		char want[32];
		size_t len;
		order_text(i, want, sizeof want, &len);
		struct msgq_msg m;
		memset(&m, 0, sizeof m);
		STEP(t, "receiving message %u", i);
		ssize_t n = iut_msgrcv(t, id, &m, sizeof m.mtext, 0, 0);
		if (n != (ssize_t)len || m.mtype != 5 || memcmp(m.mtext, want, len) != 0) {
			char b[32];
			FAIL(t, "receive number %u returned %s bytes \"%.*s\" of type %ld, expected \"%s\" of type 5",
			     i, ipcconf_result_name(n, b), (int)(n > 0 && n < 64 ? n : 0), m.mtext, m.mtype, want);
			break;
		}
		ipcconf_checked(t);
	}
	ipcconf_join(t, h, "the sending helper");
}

/*
 * POSIX.1-2017 XSH msgsnd(): msgsz "can range from 0 to a system-imposed
 * maximum"; XSH msgrcv() returns "the number of bytes actually placed
 * into the buffer mtext".  msgop(2): "msgsz ... nonnegative".  Checked
 * here: a message of type 4 with no text at all is sent and received:
 * msgrcv returns 0 with mtype 4, and the queue counted it (msg_qnum 1,
 * msg_cbytes 0) in between.
 */
CLAUSE(msgq_io_empty_message,
       .id = "msgq.io.empty_message",
       .title = "a message of 0 bytes is a message: queued, counted and received with its type",
       .cites = "seed:Q1; POSIX.1-2017 XSH msgsnd(), msgrcv(); msgop(2)")
{
	int id = msgq_create(t, NULL);
	struct msgq_msg m = { .mtype = 4 };
	CHECK_EQ(t, iut_msgsnd(t, id, &m, 0, IPC_NOWAIT), 0, "msgsnd of 0 bytes, type 4");
	struct msqid_ds ds;
	msgq_stat(t, id, &ds);
	CHECK_EQ(t, ds.msg_qnum, 1, "msg_qnum with the empty message queued");
	CHECK_EQ(t, ds.msg_cbytes, 0, "msg_cbytes with the empty message queued");
	memset(&m, 0, sizeof m);
	CHECK_EQ(t, iut_msgrcv(t, id, &m, sizeof m.mtext, 0, IPC_NOWAIT), 0, "msgrcv of the empty message");
	CHECK_EQ(t, m.mtype, 4, "the empty message's mtype");
	CHECK_EQ(t, msgq_qnum(t, id), 0, "msg_qnum after receiving it");
}
