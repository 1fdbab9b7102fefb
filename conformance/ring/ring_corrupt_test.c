/*
 * The ring's contract: a header or record overwritten by a peer is
 * reported as an error, never followed outside the region
 * (impl/ring/ring.h ERRORS, ring_record.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "conformance/harness/clause.h"
#include "conformance/ring/ring_support.h"

/* Bytes on both sides of every buffer handed to the ring: any change means a stray write. */
#define CANARY 0xA5
#define SLACK 64

struct guarded_buf {
	unsigned char before[SLACK];
	unsigned char buf[256];
	unsigned char after[SLACK];
};

static void arm(struct guarded_buf *g)
{
	memset(g, CANARY, sizeof *g);
}

static int canaries_intact(const struct guarded_buf *g)
{
	for (int i = 0; i < SLACK; i++)
		if (g->before[i] != CANARY || g->after[i] != CANARY)
			return 0;
	return 1;
}

enum corruption {
	C_DATA_SIZE_HUGE,
	C_DATA_SIZE_NOT_POW2,
	C_CAPACITY_ABOVE_DATA,
	C_CAPACITY_ZERO,
	C_CAPACITY_NOT_POW2,
	C_HDR_SIZE,
	C_TAIL_PAST_CAPACITY,
	C_HEAD_PAST_TAIL,
	C_COUNT
};

static const char *const corruption_name[C_COUNT] = {
	"data_size 1 GiB (far beyond the region)", "data_size 96 (not a power of two)",
	"capacity twice data_size", "capacity 0", "capacity 48 (not a power of two)",
	"hdr_size 4096", "tail - head > capacity", "head ahead of tail",
};

static void corrupt(struct ring_hdr *h, enum corruption c)
{
	uint32_t ds = h->data_size;

	switch (c) {
	case C_DATA_SIZE_HUGE: h->data_size = UINT32_C(1) << 30; break;
	case C_DATA_SIZE_NOT_POW2: h->data_size = 96; break;
	case C_CAPACITY_ABOVE_DATA: atomic_store(&h->capacity, ds * 2); break;
	case C_CAPACITY_ZERO: atomic_store(&h->capacity, 0); break;
	case C_CAPACITY_NOT_POW2: atomic_store(&h->capacity, 48); break;
	case C_HDR_SIZE: h->hdr_size = 4096; break;
	case C_TAIL_PAST_CAPACITY: atomic_store(&h->tail, atomic_load(&h->head) + ds + 8); break;
	case C_HEAD_PAST_TAIL: atomic_store(&h->head, atomic_load(&h->tail) + 8); break;
	case C_COUNT: break;
	}
}

/*
 * One corruption, in a helper so that a fault (an access outside the
 * guarded region) is a death the clause can name: attach must refuse the
 * corrupted header, and push, pop and used on a ring attached before the
 * corruption must each return a negative errno or a count within the
 * caller's buffer, never touching bytes around it.  Exits 0 when all
 * held, 1 when a result was wrong.
 */
static void try_corruption(struct ipcconf_t *t, enum corruption c)
{
	size_t len;
	void *mem = ringc_byte_ring(t, 128, &len);
	struct ring r, again;
	struct guarded_buf g;
	unsigned char data[100];

	ringc_attach(t, &r, mem, len, 0);
	memset(data, 'x', sizeof data);
	REQUIRE_EQ(t, ring_try_push(&r, data, 40, 1), 40, "40 bytes into the sound ring");
	REQUIRE_EQ(t, ring_try_pop(&r, data, 24), 24, "24 bytes out of it");
	corrupt(mem, c);
	CHECK(t, ring_check(mem, len) < 0, "ring_check refuses a header with %s", corruption_name[c]);
	CHECK(t, ring_attach(&again, mem, len) < 0, "ring_attach refuses a header with %s",
	      corruption_name[c]);
	arm(&g);
	ssize_t popped = ring_try_pop(&r, g.buf, sizeof g.buf);
	CHECK(t, popped < 0 || popped <= 16,
	      "ring_try_pop after %s returned %zd: neither an error nor at most the 16 bytes there",
	      corruption_name[c], popped);
	CHECK(t, canaries_intact(&g), "ring_try_pop after %s wrote outside the caller's buffer",
	      corruption_name[c]);
	ssize_t pushed = ring_try_push(&r, data, sizeof data, 0);
	CHECK(t, pushed < 0 || pushed <= 128,
	      "ring_try_push after %s returned %zd: neither an error nor at most the capacity",
	      corruption_name[c], pushed);
	long used = ring_used(&r);
	CHECK(t, used < 0 || used <= 128, "ring_used after %s returned %ld", corruption_name[c], used);
}

/*
 * impl/ring/ring.h ERRORS: "-EPROTO when the region is not a ring of this
 * version and mode, -EUCLEAN when the header is inconsistent (corrupted)
 * ... A corrupted header never leads to an access outside the region";
 * the INVARIANTS list data_size a power of two fitting the region, 1 <=
 * capacity <= data_size and a power of two, 0 <= tail - head <=
 * capacity.  The contract: a peer that breaks any of them gets an error
 * from every call, never an access outside the region (the region sits
 * between inaccessible pages here, so one would kill the caller) or
 * outside the caller's buffer (canaries around it).  Checked here for
 * eight corruptions, each in its own helper: ring_check and ring_attach
 * refuse the header; pop, push and used on a ring attached before return
 * an error or a count within bounds; the helper does not die.
 */
CLAUSE(ring_corrupt_header_reported,
       .id = "ring.corrupt.header_reported",
       .title = "a corrupted ring header is refused or reported, never followed outside the region",
       .cites = "seed:M3; impl/ring/ring.h (INVARIANTS, ERRORS)")
{
	for (int c = 0; c < C_COUNT; c++) {
		int status = 0;
		pid_t h = ipcconf_fork(t);
		if (h == 0) {
			try_corruption(t, (enum corruption)c);
			ipcconf_exit(t);
		}
		REQUIRE(t, ipcconf_wait(t, h, &status), "the helper trying %s did not end",
			corruption_name[c]);
		CHECK(t, WIFEXITED(status),
		      "the helper trying %s died of signal %d: an access outside the region",
		      corruption_name[c], WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
}

/*
 * impl/ring/ring_record.h: a record's header carries its length (0 ..
 * capacity - RING_REC_HDR_SIZE), kind and tag; a header that breaks
 * them is corruption, reported as -EUCLEAN, and a pop copies at most the
 * caller's n bytes.  Checked here, in a helper (a fault is its death): a
 * record ring of 256 bytes holding one 10-byte record whose length field
 * is then overwritten with 1 GiB: ring_record_try_pop into a 256-byte
 * buffer returns a negative errno, writes nothing around the buffer, and
 * ring_record_check refuses the ring.
 */
CLAUSE(ring_corrupt_record_length_reported,
       .id = "ring.corrupt.record_length_reported",
       .title = "a record whose length was overwritten is reported, not copied past the buffer",
       .cites = "seed:M3; impl/ring/ring_record.h (RECORD LAYOUT, ERRORS)")
{
	int status = 0;
	pid_t h = ipcconf_fork(t);

	if (h == 0) {
		size_t len;
		void *mem = ringc_record_ring(t, 256, &len);
		struct ring r;
		struct guarded_buf g;
		ringc_attach(t, &r, mem, len, 1);
		REQUIRE_EQ(t, ring_record_try_push(&r, "0123456789", 10), 10, "a 10-byte record");
		uint64_t head = atomic_load(&((struct ring_hdr *)mem)->head);
		unsigned char *rec = (unsigned char *)mem + RING_HDR_SIZE + (head & 255);
		uint32_t huge = UINT32_C(1) << 30;
		memcpy(rec, &huge, sizeof huge);
		arm(&g);
		ssize_t got = ring_record_try_pop(&r, g.buf, sizeof g.buf);
		CHECK(t, got < 0, "ring_record_try_pop of a record claiming 1 GiB returned %zd", got);
		CHECK(t, canaries_intact(&g), "the pop wrote outside the caller's buffer");
		CHECK(t, ring_record_check(mem, len) < 0, "ring_record_check refuses the ring");
		ipcconf_exit(t);
	}
	REQUIRE(t, ipcconf_wait(t, h, &status), "the helper did not end");
	CHECK(t, WIFEXITED(status), "the helper died of signal %d: an access outside the region",
	      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
