/*
 * The ring's contract: order, no loss and no duplication across processes
 * (impl/ring/ring.h, ring_record.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance/harness/clause.h"
#include "conformance/ring/ring_support.h"

#define STREAM_BYTES (64u * 1024u)

/* A small deterministic generator: sizes that straddle the wrap point in every phase. */
static uint32_t next_size(uint32_t *state, uint32_t max)
{
	*state = *state * 1103515245u + 12345u;
	return 1 + (*state >> 16) % max;
}

/*
 * impl/ring/ring.h: "byte i of the stream is at data[i & (capacity - 1)]",
 * head and tail count bytes consumed and produced; ring_push() "returns n
 * once all n bytes are in", ring_pop() "returns as soon as any byte is
 * there".  The contract: the consumer reads exactly the bytes the
 * producer wrote, in order, none lost or repeated, across the wrap point.
 * Checked here: a helper pushes 64 KiB of a position-dependent pattern
 * through a 1 KiB ring in pushes of 1..700 bytes; the clause process pops
 * with buffers of 1..500 bytes and compares every byte with the pattern
 * at its stream position.
 */
CLAUSE(ring_order_bytes_in_order_across_processes,
       .id = "ring.order.bytes_in_order_across_processes",
       .title = "bytes pushed by one process are popped by another in order, none lost or repeated",
       .cites = "seed:M1; seed:M2; impl/ring/ring.h (REGION LAYOUT, ring_push, ring_pop)")
{
	size_t len;
	void *mem = ringc_byte_ring(t, 1024, &len);
	pid_t me = getpid();

	pid_t producer = ipcconf_fork(t);
	if (producer == 0) {
		struct ring r;
		struct ring_block b = { .peer = ringc_pid_alive, .ctx = &me };
		unsigned char buf[700];
		uint32_t seed = 7;
		ringc_attach(t, &r, mem, len, 0);
		for (uint64_t pos = 0; pos < STREAM_BYTES;) {
			uint32_t n = next_size(&seed, sizeof buf);
			if (n > STREAM_BYTES - pos)
				n = (uint32_t)(STREAM_BYTES - pos);
			for (uint32_t i = 0; i < n; i++)
				buf[i] = ringc_stream_byte(pos + i);
			ssize_t put = ring_push(&r, buf, n, &b);
			REQUIRE(t, put == (ssize_t)n, "ring_push of %u bytes at %llu returned %zd", n,
				(unsigned long long)pos, put);
			pos += n;
		}
		ipcconf_exit(t);
	}
	struct ring r;
	struct ring_block b = { .peer = ringc_pid_alive, .ctx = &producer };
	unsigned char buf[500];
	uint32_t seed = 11;
	ringc_attach(t, &r, mem, len, 0);
	for (uint64_t pos = 0; pos < STREAM_BYTES;) {
		uint32_t want = next_size(&seed, sizeof buf);
		ssize_t got = ring_pop(&r, buf, want, &b);
		REQUIRE(t, got > 0 && got <= (ssize_t)want,
			"ring_pop of up to %u bytes at stream position %llu returned %zd", want,
			(unsigned long long)pos, got);
		for (ssize_t i = 0; i < got; i++)
			if (buf[i] != ringc_stream_byte(pos + (uint64_t)i)) {
				CHECK_EQ(t, buf[i], ringc_stream_byte(pos + (uint64_t)i),
					 "the byte at this stream position");
				REQUIRE(t, 0, "the stream differs at byte %llu",
					(unsigned long long)(pos + (uint64_t)i));
			}
		pos += (uint64_t)got;
	}
	CHECK_EQ(t, ring_used(&r), 0, "bytes left in the ring after the whole stream");
	ipcconf_join(t, producer, "the producer");
}

#define PRODUCERS 3
#define CONSUMERS 2
#define PER_PRODUCER 300

struct tally {
	_Atomic unsigned taken;                     /* records popped by all consumers */
	_Atomic unsigned seen[PRODUCERS][PER_PRODUCER]; /* times each record was popped */
	_Atomic unsigned disorder;                  /* a consumer saw a producer's records out of order */
	_Atomic unsigned corrupt;                   /* a record whose bytes did not match its header */
};

struct rec {
	uint32_t producer, seq, len;
	unsigned char body[48];
};

static void fill_record(struct rec *m, uint32_t p, uint32_t s)
{
	m->producer = p;
	m->seq = s;
	m->len = (p * 7 + s) % sizeof m->body;
	for (uint32_t i = 0; i < m->len; i++)
		m->body[i] = (unsigned char)(p * 31 + s * 17 + i);
}

static int record_intact(const struct rec *m, ssize_t got)
{
	if (got < (ssize_t)offsetof(struct rec, body) || m->producer >= PRODUCERS ||
	    m->seq >= PER_PRODUCER || m->len > sizeof m->body ||
	    got != (ssize_t)(offsetof(struct rec, body) + m->len))
		return 0;
	for (uint32_t i = 0; i < m->len; i++)
		if (m->body[i] != (unsigned char)(m->producer * 31 + m->seq * 17 + i))
			return 0;
	return 1;
}

/*
 * impl/ring/ring_record.h: "A record moves whole or not at all ... Any
 * number of producers and consumers, threads or processes: producers are
 * serialized by p_lock, consumers by c_lock."  The contract: with several
 * producers and several consumers in different processes, every record
 * pushed is popped exactly once, intact, and the records of one producer
 * reach any one consumer in the order they were pushed.  Checked here:
 * three producer helpers push 300 numbered records each (0..47 payload
 * bytes derived from producer and number) into a 512-byte record ring;
 * two consumer helpers pop until 900 records are taken in all, counting
 * each (producer, number) in memory shared by the suite and checking
 * that each producer's numbers rise; every record must be counted
 * exactly once.
 */
CLAUSE(ring_order_many_producers_exactly_once,
       .id = "ring.order.many_producers_exactly_once",
       .title = "with several producer and consumer processes every record is popped once, intact, in each producer's order",
       .cites = "seed:M2; impl/ring/ring_record.h (record mode, any number of producers and consumers)",
       .timeout_ms = 5000)
{
	size_t len;
	void *mem = ringc_record_ring(t, 512, &len);
	struct tally *tl = mmap(NULL, sizeof *tl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				-1, 0);
	if (tl == MAP_FAILED)
		BROKEN(t, "mmap of the tally");
	pid_t producers[PRODUCERS], consumers[CONSUMERS];

	for (uint32_t p = 0; p < PRODUCERS; p++) {
		producers[p] = ipcconf_fork(t);
		if (producers[p] == 0) {
			struct ring r;
			struct ring_block b = { .timeout_ms = 1000 };
			struct rec m;
			ringc_attach(t, &r, mem, len, 1);
			for (uint32_t s = 0; s < PER_PRODUCER; s++) {
				fill_record(&m, p, s);
				size_t n = offsetof(struct rec, body) + m.len;
				ssize_t put = ring_record_push(&r, &m, n, &b);
				REQUIRE(t, put == (ssize_t)n, "producer %u: ring_record_push of record %u returned %zd",
					p, s, put);
			}
			ipcconf_exit(t);
		}
	}
	for (int c = 0; c < CONSUMERS; c++) {
		consumers[c] = ipcconf_fork(t);
		if (consumers[c] == 0) {
			struct ring r;
			/* A bounded pop, so that a consumer notices when the other took the last record. */
			struct ring_block b = { .timeout_ms = 20 };
			int64_t last[PRODUCERS] = { -1, -1, -1 };
			struct rec m;
			ringc_attach(t, &r, mem, len, 1);
			while (atomic_load(&tl->taken) < PRODUCERS * PER_PRODUCER) {
				ssize_t got = ring_record_pop(&r, &m, sizeof m, &b);
				if (got == -ETIMEDOUT)
					continue;
				if (!record_intact(&m, got)) {
					atomic_fetch_add(&tl->corrupt, 1);
					atomic_fetch_add(&tl->taken, 1);
					continue;
				}
				if ((int64_t)m.seq <= last[m.producer])
					atomic_fetch_add(&tl->disorder, 1);
				last[m.producer] = m.seq;
				atomic_fetch_add(&tl->seen[m.producer][m.seq], 1);
				atomic_fetch_add(&tl->taken, 1);
			}
			ipcconf_exit(t);
		}
	}
	for (int p = 0; p < PRODUCERS; p++)
		ipcconf_join(t, producers[p], "a producer");
	for (int c = 0; c < CONSUMERS; c++)
		ipcconf_join(t, consumers[c], "a consumer");
	CHECK_EQ(t, atomic_load(&tl->corrupt), 0, "records popped with bytes that do not match their header");
	CHECK_EQ(t, atomic_load(&tl->disorder), 0, "records of one producer popped out of its order by one consumer");
	unsigned missing = 0, repeated = 0;
	for (int p = 0; p < PRODUCERS; p++)
		for (int s = 0; s < PER_PRODUCER; s++) {
			unsigned n = atomic_load(&tl->seen[p][s]);
			missing += n == 0;
			repeated += n > 1;
		}
	CHECK_EQ(t, missing, 0, "records never popped");
	CHECK_EQ(t, repeated, 0, "records popped more than once");
}
