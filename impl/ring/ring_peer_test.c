/*
 * ring_peer_test: the ring against a peer that rewrites its shared memory
 * in the middle of a call.
 *
 * Built against `ring_peer_hooked` (ring_peer.h): every read of shared
 * memory that matters calls a hook first.  For each scenario (a ring set
 * up in a known state, then one call: attach, push, pop, peek, check, in
 * byte, record and SPSC mode) and each variant of the hostile peer
 * (ring_peer_test_hostile.h: which fields, which kind of value), the call
 * is repeated with the peer striking at hook call 1, 2, 3, ... until the
 * call makes fewer hook calls than that.  The ring lies in a guarded_map()
 * region of exactly ring_region_size() bytes, so that a byte read or
 * written past it faults (and, under ASan, below it too).
 *
 * Passes when no call faults, every result is a count within the
 * caller's buffer (or the record length a call documents) or an error the
 * ring documents, no byte of the destination's canaries changed, and an
 * attach never accepts a geometry larger than the mapping.  After an
 * attach that succeeded, the peer goes on as a smart one would: it sets
 * the capacity and counters to use whatever geometry the attach may have
 * believed, and pushes and pops a buffer larger than the data area.
 *
 * Each scenario runs in a forked child, bounded by alarm(); a child that
 * dies is reported with the scenario, the variant, the strike and the
 * hook point it was at (kept in shared memory), and the other scenarios
 * still run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz/engine/guarded_map.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_peer.h"
#include "impl/ring/ring_peer_test_hostile.h"
#include "impl/ring/ring_record.h"
#include "impl/ring/ring_spsc.h"
#include "impl/ring/ring_test_main.h"

#define DS 256u              /* data_size of every ring; the capacity starts equal */
#define BIG (4 * DS)         /* large buffers: more than any sound ring holds */
#define SMALL 24u            /* small buffers: shorter than what is buffered */
#define START (DS - 40)      /* where the counters start: copies of 100 bytes wrap */
#define CANARY_LEN 64
#define CANARY 0xa5
#define MAX_STRIKES 100000ul /* a call with more hook calls than this never ends */
#define CHILD_SECONDS 300    /* bound on one scenario's child */
#define MAX_VARIANTS 128
#define MAX_REPORTS 20       /* failures printed per scenario */

/* Where a scenario's child is, in memory the parent still reads after a crash. */
struct progress {
	char variant[64];
	unsigned long strike;
	int point;
	unsigned long runs;
	unsigned long max_calls;
	unsigned failures;
	char first_failure[512];
};

struct ctx {
	unsigned char *mem; /* the ring region, guarded */
	size_t len;
	unsigned char *src; /* BIG bytes of pattern, its end against a guard page */
	struct ring r;
	struct ring_spsc s;
	struct peer_target target;
	unsigned char sound_hdr[RING_HDR_SIZE]; /* the header as set up */
	unsigned char arena[CANARY_LEN + BIG + CANARY_LEN];
	size_t dst_len; /* bytes of arena after the first canary handed to calls */
	struct progress *pr;
};

struct scenario {
	const char *name;
	int record;
	void (*setup)(struct ctx *c);
	void (*call)(struct ctx *c); /* the call under the peer, then its checks */
};

static const char *const point_names[] = {
	"attach-header", "capacity", "counters", "record-header", "data",
};

static const char *point_name(int p)
{
	if (p >= 0 && p < (int)(sizeof point_names / sizeof point_names[0]))
		return point_names[p];
	return p < 0 ? "(none yet)" : "(unknown)";
}

/* ---- reporting from the child ---- */

static void fail(struct ctx *c, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->pr->failures == 0)
		snprintf(c->pr->first_failure, sizeof c->pr->first_failure,
			 "%s [peer %s, strike %lu at %s]", msg, c->pr->variant, c->pr->strike,
			 point_name(c->pr->point));
	if (c->pr->failures < MAX_REPORTS)
		fprintf(stderr, "  FAIL: %s [peer %s, strike %lu at %s]\n", msg, c->pr->variant,
			c->pr->strike, point_name(c->pr->point));
	c->pr->failures++;
}

/* A set-up step that failed is a bug of this test, not of the ring. */
static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "ring_peer_test: set-up failed: %s\n", what);
		_exit(3);
	}
}

static bool ring_error(ssize_t ret)
{
	switch (-ret) {
	case EAGAIN:
	case EUCLEAN:
	case EPROTO:
	case EPROTONOSUPPORT:
	case EMSGSIZE:
	case E2BIG:
	case ENOMEM:
		return true;
	default:
		return false;
	}
}

/* ret is a count in min..max, or an error the ring documents. */
static void expect_count(struct ctx *c, const char *call, ssize_t ret, ssize_t min, ssize_t max)
{
	if (ret < 0 ? !ring_error(ret) : ret < min || ret > max)
		fail(c, "%s returned %zd: neither %zd..%zd nor a ring error", call, ret, min, max);
}

/* ---- buffers ---- */

/* A destination of n bytes with canaries on both sides (checked after the call). */
static void *dst(struct ctx *c, size_t n)
{
	c->dst_len = n;
	return c->arena + CANARY_LEN;
}

/* A source of n bytes whose last byte is the last before a guard page. */
static const void *src(struct ctx *c, size_t n)
{
	return c->src + BIG - n;
}

static void check_canaries(struct ctx *c)
{
	for (size_t i = 0; i < sizeof c->arena; i++) {
		if (i >= CANARY_LEN && i < CANARY_LEN + c->dst_len)
			continue;
		if (c->arena[i] != CANARY) {
			fail(c, "byte %zd of the destination's surroundings changed",
			     (ssize_t)i - CANARY_LEN);
			return;
		}
	}
}

/* ---- the ring's state, written directly ---- */

static struct ring_hdr *hdr(struct ctx *c)
{
	return (struct ring_hdr *)c->mem;
}

static void set_counters(struct ctx *c, uint64_t head, uint64_t tail)
{
	atomic_store_explicit(&hdr(c)->head, head, memory_order_relaxed);
	atomic_store_explicit(&hdr(c)->tail, tail, memory_order_relaxed);
}

static void set_capacity(struct ctx *c, uint32_t cap)
{
	atomic_store_explicit(&hdr(c)->capacity, cap, memory_order_relaxed);
}

/* Stream bytes at position pos of the data area, wrapping at DS. */
static void put_stream(struct ctx *c, uint64_t pos, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->mem[RING_HDR_SIZE + ((pos + i) & (DS - 1))] = ((const unsigned char *)p)[i];
}

static void save_header(struct ctx *c)
{
	memcpy(c->sound_hdr, c->mem, RING_HDR_SIZE);
}

static void restore_header(struct ctx *c)
{
	memcpy(c->mem, c->sound_hdr, RING_HDR_SIZE);
}

static void target_plain(struct ctx *c, int record)
{
	memset(&c->target, 0, sizeof c->target);
	c->target.region = c->mem;
	c->target.data_size = DS;
	c->target.record = record;
}

/* Bytes of stream a record of len payload bytes takes (ring_record.h, computed here). */
static uint64_t rec_size(uint64_t len)
{
	return 16 + ((len + 7) & ~(uint64_t)7);
}

/* ---- set-ups (the hook is off) ---- */

static void init_bytes(struct ctx *c, uint64_t at)
{
	must(ring_init(c->mem, c->len, DS, DS) == 0, "ring_init");
	set_counters(c, at, at);
	target_plain(c, 0);
}

static void init_records(struct ctx *c, uint64_t at)
{
	must(ring_record_init(c->mem, c->len, DS, DS) == 0, "ring_record_init");
	set_counters(c, at, at);
	target_plain(c, 1);
}

static void setup_attach_bytes(struct ctx *c)
{
	init_bytes(c, START);
	save_header(c);
}

static void setup_bytes_empty(struct ctx *c)
{
	init_bytes(c, START);
	must(ring_attach(&c->r, c->mem, c->len) == 0, "ring_attach");
	save_header(c);
}

/* 100 bytes buffered from START: across the end of the data area. */
static void setup_bytes_wrapped(struct ctx *c)
{
	setup_bytes_empty(c);
	must(ring_try_push(&c->r, src(c, 100), 100, 1) == 100, "ring_try_push 100");
	save_header(c);
}

static void setup_attach_records(struct ctx *c)
{
	init_records(c, START);
	save_header(c);
}

static void setup_records_empty_at(struct ctx *c, uint64_t at)
{
	init_records(c, at);
	must(ring_record_attach(&c->r, c->mem, c->len) == 0, "ring_record_attach");
	save_header(c);
}

/* Empty at DS - 24: a pushed header fits before the end, its payload wraps. */
static void setup_records_empty(struct ctx *c)
{
	setup_records_empty_at(c, DS - 24);
}

/* Empty at DS - 8: a pushed header itself wraps. */
static void setup_records_empty_hdr_wraps(struct ctx *c)
{
	setup_records_empty_at(c, DS - 8);
}

/* Two records from DS - 24: A (100 bytes, type 1) across the end, then B (20 bytes, type 2). */
static void setup_records_two(struct ctx *c)
{
	setup_records_empty(c);
	must(ring_record_try_push_type(&c->r, src(c, 100), 100, 1) == 100, "push A");
	must(ring_record_try_push_type(&c->r, src(c, 20), 20, 2) == 20, "push B");
	c->target.nrec = 2;
	c->target.rec_pos[0] = DS - 24;
	c->target.rec_pos[1] = DS - 24 + rec_size(100);
	save_header(c);
}

/*
 * Four records of 40 bytes (types 1..4) from DS - 24, the second taken
 * out of order: a hole, and 32 bytes of room, so that a push of 40 must
 * compact.
 */
static void setup_records_hole(struct ctx *c)
{
	struct ring_rec_sel eq2 = { .match = RING_REC_EQ, .type = 2 };
	unsigned char tmp[40];

	setup_records_empty(c);
	for (uint16_t t = 1; t <= 4; t++)
		must(ring_record_try_push_type(&c->r, src(c, 40), 40, t) == 40, "push 40");
	must(ring_record_try_pop_sel(&c->r, tmp, sizeof tmp, &eq2, NULL) == 40, "pop type 2");
	c->target.nrec = 2;
	c->target.rec_pos[0] = DS - 24;
	c->target.rec_pos[1] = DS - 24 + rec_size(40);
	save_header(c);
}

static void setup_attach_spsc(struct ctx *c)
{
	init_bytes(c, START);
	set_counters(c, START, START + 60);
	save_header(c);
}

/*
 * A producer that last saw 200 bytes in flight; the consumer has taken
 * 150 of them since, so a push of 100 must re-read head, and wraps.
 */
static void setup_spsc_producer(struct ctx *c)
{
	init_bytes(c, START);
	set_counters(c, START, START + 200);
	must(ring_spsc_attach(&c->s, c->mem, c->len, RING_SPSC_PRODUCER) == 0, "spsc producer");
	set_counters(c, START + 150, START + 200);
	save_header(c);
}

/* A consumer that saw an empty ring; 100 bytes arrived since, across the end. */
static void setup_spsc_consumer(struct ctx *c)
{
	init_bytes(c, START);
	must(ring_spsc_attach(&c->s, c->mem, c->len, RING_SPSC_CONSUMER) == 0, "spsc consumer");
	put_stream(c, START, src(c, 100), 100);
	set_counters(c, START, START + 100);
	save_header(c);
}

/* ---- after an attach: the peer exploits whatever geometry was believed ---- */

/* Capacities a peer would try: past the data area, the most a header can say, and r's own. */
static void exploit_caps(const struct ring *r, uint32_t caps[3])
{
	caps[0] = 2 * DS;
	caps[1] = RING_DATA_MAX;
	caps[2] = r->data_size;
}

static void exploit_bytes(struct ctx *c, struct ring *r)
{
	uint32_t caps[3];
	ssize_t ret;

	exploit_caps(r, caps);
	for (int i = 0; i < 3; i++) {
		restore_header(c);
		set_capacity(c, caps[i]);
		set_counters(c, 0, caps[i]); /* full */
		ret = ring_try_pop(r, dst(c, BIG), BIG);
		expect_count(c, "ring_try_pop after attach", ret, 1, BIG);
		restore_header(c);
		set_capacity(c, caps[i]);
		set_counters(c, 0, 0); /* empty */
		ret = ring_try_push(r, src(c, BIG), BIG, 0);
		expect_count(c, "ring_try_push after attach", ret, 1, BIG);
	}
}

static void exploit_records(struct ctx *c, struct ring *r)
{
	uint32_t caps[3];
	ssize_t ret;

	exploit_caps(r, caps);
	for (int i = 0; i < 3; i++) {
		/* One record as long as the capacity allows (or BIG), at position 0. */
		uint32_t len = (caps[i] < BIG ? caps[i] : BIG) - 16;
		struct ring_rec_hdr rh = { .length = len, .kind = RING_REC_DATA, .tag = peer_tag(0) };

		if (caps[i] < 16)
			continue;
		restore_header(c);
		put_stream(c, 0, &rh, sizeof rh);
		set_capacity(c, caps[i]);
		set_counters(c, 0, rec_size(len));
		ret = ring_record_try_pop(r, dst(c, BIG), BIG);
		expect_count(c, "ring_record_try_pop after attach", ret, 0, BIG);
		restore_header(c);
		set_capacity(c, caps[i]);
		set_counters(c, 0, 0);
		ret = ring_record_try_push(r, src(c, len), len);
		expect_count(c, "ring_record_try_push after attach", ret, 0, BIG);
	}
}

/* The geometry an attach accepted must lie inside the mapping. */
static void expect_fits(struct ctx *c, const struct ring *r)
{
	if (r->hdr != hdr(c) || r->data != c->mem + RING_HDR_SIZE ||
	    ring_region_size(r->data_size) > c->len ||
	    (r->mode != RING_MODE_BYTES && r->mode != RING_MODE_RECORDS))
		fail(c, "attach accepted data_size %u, mode %u for a %zu-byte region", r->data_size,
		     r->mode, c->len);
}

static void expect_attach_result(struct ctx *c, const char *call, int ret)
{
	if (ret != 0 && ret != -EPROTO && ret != -EUCLEAN && ret != -EPROTONOSUPPORT)
		fail(c, "%s returned %d", call, ret);
}

static void call_attach_bytes(struct ctx *c)
{
	struct ring r;
	int ret = ring_attach(&r, c->mem, c->len);

	peer_disarm();
	expect_attach_result(c, "ring_attach", ret);
	if (ret != 0)
		return;
	if (r.mode == RING_MODE_RECORDS)
		exploit_records(c, &r);
	else
		exploit_bytes(c, &r);
	expect_fits(c, &r);
}

static void call_attach_records(struct ctx *c)
{
	struct ring r;
	int ret = ring_record_attach(&r, c->mem, c->len);

	peer_disarm();
	expect_attach_result(c, "ring_record_attach", ret);
	if (ret != 0)
		return;
	if (r.mode != RING_MODE_RECORDS)
		fail(c, "ring_record_attach accepted mode %u", r.mode);
	exploit_records(c, &r);
	expect_fits(c, &r);
}

/*
 * After an SPSC attach the handle is believed without another look at
 * the header until the cached counters run out: give it everything it
 * believes it may use, and push or pop more than the data area.
 */
static void exploit_spsc(struct ctx *c, struct ring_spsc *s)
{
	ssize_t ret;

	restore_header(c);
	set_capacity(c, s->cap);
	if (s->side == RING_SPSC_PRODUCER) {
		set_counters(c, s->pos, s->pos); /* the consumer took everything */
		ret = ring_spsc_try_push(s, src(c, BIG), BIG, 0);
		expect_count(c, "ring_spsc_try_push after attach", ret, 1, BIG);
	} else {
		set_counters(c, s->pos, s->pos + s->cap); /* the producer filled it */
		ret = ring_spsc_try_pop(s, dst(c, BIG), BIG);
		expect_count(c, "ring_spsc_try_pop after attach", ret, 1, BIG);
	}
	expect_fits(c, &s->r);
	if (s->cap > s->r.data_size)
		fail(c, "ring_spsc_attach accepted capacity %u over data_size %u", s->cap,
		     s->r.data_size);
}

static void call_attach_spsc(struct ctx *c, enum ring_spsc_side side)
{
	struct ring_spsc s;
	int ret = ring_spsc_attach(&s, c->mem, c->len, side);

	peer_disarm();
	expect_attach_result(c, "ring_spsc_attach", ret);
	if (ret == 0)
		exploit_spsc(c, &s);
}

static void call_attach_spsc_producer(struct ctx *c)
{
	call_attach_spsc(c, RING_SPSC_PRODUCER);
}

static void call_attach_spsc_consumer(struct ctx *c)
{
	call_attach_spsc(c, RING_SPSC_CONSUMER);
}

/* ---- byte ring calls ---- */

static void call_try_push(struct ctx *c)
{
	ssize_t ret = ring_try_push(&c->r, src(c, 100), 100, 0);

	peer_disarm();
	expect_count(c, "ring_try_push", ret, 1, 100);
}

static void call_try_push_whole(struct ctx *c)
{
	ssize_t ret = ring_try_push(&c->r, src(c, 100), 100, 1);

	peer_disarm();
	expect_count(c, "ring_try_push all-or-nothing", ret, 100, 100);
}

static void call_try_push_big(struct ctx *c)
{
	ssize_t ret = ring_try_push(&c->r, src(c, BIG), BIG, 0);

	peer_disarm();
	expect_count(c, "ring_try_push", ret, 1, DS);
}

static void call_push(struct ctx *c)
{
	struct ring_block b = { .nonblock = 1, .atomic_max = BIG };
	ssize_t ret = ring_push(&c->r, src(c, 100), 100, &b);

	peer_disarm();
	expect_count(c, "ring_push", ret, 1, 100);
}

static void call_try_pop_small(struct ctx *c)
{
	ssize_t ret = ring_try_pop(&c->r, dst(c, SMALL), SMALL);

	peer_disarm();
	expect_count(c, "ring_try_pop", ret, 1, SMALL);
}

static void call_try_pop_big(struct ctx *c)
{
	ssize_t ret = ring_try_pop(&c->r, dst(c, BIG), BIG);

	peer_disarm();
	expect_count(c, "ring_try_pop", ret, 1, DS);
}

static void call_pop(struct ctx *c)
{
	struct ring_block b = { .nonblock = 1 };
	ssize_t ret = ring_pop(&c->r, dst(c, BIG), BIG, &b);

	peer_disarm();
	expect_count(c, "ring_pop", ret, 1, DS);
}

static void call_check(struct ctx *c)
{
	int ret = ring_check(c->mem, c->len);

	peer_disarm();
	if (ret != 0 && ret != -EPROTO && ret != -EUCLEAN)
		fail(c, "ring_check returned %d", ret);
}

static void call_used(struct ctx *c)
{
	long ret = ring_used(&c->r);

	peer_disarm();
	expect_count(c, "ring_used", ret, 0, DS);
}

static void call_set_capacity(struct ctx *c)
{
	int ret = ring_set_capacity(&c->r, DS / 2);

	peer_disarm();
	if (ret != 0 && ret != -EUCLEAN && ret != -EBUSY && ret != -ENOMEM)
		fail(c, "ring_set_capacity returned %d", ret);
}

/* ---- record ring calls ---- */

static void call_rec_try_push(struct ctx *c)
{
	ssize_t ret = ring_record_try_push_type(&c->r, src(c, 100), 100, 7);

	peer_disarm();
	expect_count(c, "ring_record_try_push_type", ret, 100, 100);
}

static void call_rec_try_push_40(struct ctx *c)
{
	ssize_t ret = ring_record_try_push_type(&c->r, src(c, 40), 40, 5);

	peer_disarm();
	expect_count(c, "ring_record_try_push_type", ret, 40, 40);
}

static void call_rec_push(struct ctx *c)
{
	struct ring_block b = { .nonblock = 1 };
	ssize_t ret = ring_record_push(&c->r, src(c, 100), 100, &b);

	peer_disarm();
	expect_count(c, "ring_record_push", ret, 100, 100);
}

static void call_rec_try_pop_small(struct ctx *c)
{
	ssize_t ret = ring_record_try_pop(&c->r, dst(c, SMALL), SMALL);

	peer_disarm();
	expect_count(c, "ring_record_try_pop", ret, 0, SMALL);
}

static void call_rec_try_pop_big(struct ctx *c)
{
	ssize_t ret = ring_record_try_pop(&c->r, dst(c, BIG), BIG);

	peer_disarm();
	expect_count(c, "ring_record_try_pop", ret, 0, DS - 16);
}

static void call_rec_pop(struct ctx *c)
{
	struct ring_block b = { .nonblock = 1 };
	ssize_t ret = ring_record_pop(&c->r, dst(c, BIG), BIG, &b);

	peer_disarm();
	expect_count(c, "ring_record_pop", ret, 0, DS - 16);
}

static void call_rec_peek(struct ctx *c)
{
	ssize_t ret = ring_record_peek(&c->r);

	peer_disarm();
	expect_count(c, "ring_record_peek", ret, 0, DS - 16);
}

static void call_rec_peek_highest(struct ctx *c)
{
	struct ring_rec_sel sel = { .match = RING_REC_HIGHEST };
	uint16_t type;
	ssize_t ret = ring_record_peek_sel(&c->r, &sel, &type);

	peer_disarm();
	expect_count(c, "ring_record_peek_sel", ret, 0, DS - 16);
}

/* A selecting pop into a BIG buffer (or SMALL, truncating): the record's length. */
static void pop_sel(struct ctx *c, enum ring_rec_match m, uint16_t type, unsigned flags)
{
	struct ring_rec_sel sel = { .match = m, .type = type, .flags = flags };
	size_t n = flags & RING_REC_TRUNC ? SMALL : BIG;
	uint16_t got;
	ssize_t ret = ring_record_try_pop_sel(&c->r, dst(c, n), n, &sel, &got);

	peer_disarm();
	/* With RING_REC_TRUNC the full length comes back; n bytes of it were copied. */
	expect_count(c, "ring_record_try_pop_sel", ret, 0, DS - 16);
}

static void call_rec_pop_eq(struct ctx *c)
{
	pop_sel(c, RING_REC_EQ, 2, 0);
}

static void call_rec_pop_le(struct ctx *c)
{
	pop_sel(c, RING_REC_LE, 1, 0);
}

static void call_rec_pop_ne(struct ctx *c)
{
	pop_sel(c, RING_REC_NE, 1, 0);
}

static void call_rec_pop_highest(struct ctx *c)
{
	pop_sel(c, RING_REC_HIGHEST, 0, 0);
}

static void call_rec_pop_trunc(struct ctx *c)
{
	pop_sel(c, RING_REC_ANY, 0, RING_REC_TRUNC);
}

static void call_rec_check(struct ctx *c)
{
	int ret = ring_record_check(c->mem, c->len);

	peer_disarm();
	if (ret != 0 && ret != -EPROTO && ret != -EUCLEAN && ret != -EPROTONOSUPPORT)
		fail(c, "ring_record_check returned %d", ret);
}

/* ---- SPSC calls ---- */

static void call_spsc_try_push(struct ctx *c)
{
	ssize_t ret = ring_spsc_try_push(&c->s, src(c, 100), 100, 0);

	peer_disarm();
	expect_count(c, "ring_spsc_try_push", ret, 1, 100);
}

static void call_spsc_try_push_whole(struct ctx *c)
{
	ssize_t ret = ring_spsc_try_push(&c->s, src(c, 100), 100, 1);

	peer_disarm();
	expect_count(c, "ring_spsc_try_push all-or-nothing", ret, 100, 100);
}

static void call_spsc_push(struct ctx *c)
{
	struct ring_block b = { .nonblock = 1, .atomic_max = BIG };
	ssize_t ret = ring_spsc_push(&c->s, src(c, 100), 100, &b);

	peer_disarm();
	expect_count(c, "ring_spsc_push", ret, 1, 100);
}

static void call_spsc_try_pop_small(struct ctx *c)
{
	ssize_t ret = ring_spsc_try_pop(&c->s, dst(c, SMALL), SMALL);

	peer_disarm();
	expect_count(c, "ring_spsc_try_pop", ret, 1, SMALL);
}

static void call_spsc_try_pop_big(struct ctx *c)
{
	ssize_t ret = ring_spsc_try_pop(&c->s, dst(c, BIG), BIG);

	peer_disarm();
	expect_count(c, "ring_spsc_try_pop", ret, 1, DS);
}

static void call_spsc_pop(struct ctx *c)
{
	struct ring_block b = { .nonblock = 1 };
	ssize_t ret = ring_spsc_pop(&c->s, dst(c, BIG), BIG, &b);

	peer_disarm();
	expect_count(c, "ring_spsc_pop", ret, 1, DS);
}

/* ---- the scenarios ---- */

static const struct scenario byte_scenarios[] = {
	{ "ring_attach", 0, setup_attach_bytes, call_attach_bytes },
	{ "ring_try_push (wraps)", 0, setup_bytes_empty, call_try_push },
	{ "ring_try_push all-or-nothing", 0, setup_bytes_empty, call_try_push_whole },
	{ "ring_try_push more than fits", 0, setup_bytes_wrapped, call_try_push_big },
	{ "ring_push nonblocking", 0, setup_bytes_empty, call_push },
	{ "ring_try_pop small buffer", 0, setup_bytes_wrapped, call_try_pop_small },
	{ "ring_try_pop (wraps)", 0, setup_bytes_wrapped, call_try_pop_big },
	{ "ring_pop nonblocking", 0, setup_bytes_wrapped, call_pop },
	{ "ring_check", 0, setup_bytes_wrapped, call_check },
	{ "ring_used", 0, setup_bytes_wrapped, call_used },
	{ "ring_set_capacity", 0, setup_bytes_wrapped, call_set_capacity },
};

static const struct scenario record_scenarios[] = {
	{ "ring_record_attach", 1, setup_attach_records, call_attach_records },
	{ "record try_push (payload wraps)", 1, setup_records_empty, call_rec_try_push },
	{ "record try_push (header wraps)", 1, setup_records_empty_hdr_wraps, call_rec_try_push },
	{ "record try_push (compacts)", 1, setup_records_hole, call_rec_try_push_40 },
	{ "ring_record_push nonblocking", 1, setup_records_empty, call_rec_push },
	{ "record try_pop small buffer", 1, setup_records_two, call_rec_try_pop_small },
	{ "record try_pop (wraps)", 1, setup_records_two, call_rec_try_pop_big },
	{ "record try_pop skipping a hole", 1, setup_records_hole, call_rec_try_pop_big },
	{ "ring_record_pop nonblocking", 1, setup_records_two, call_rec_pop },
	{ "ring_record_peek", 1, setup_records_two, call_rec_peek },
	{ "ring_record_peek_sel highest", 1, setup_records_two, call_rec_peek_highest },
	{ "pop_sel EQ (from the middle)", 1, setup_records_two, call_rec_pop_eq },
	{ "pop_sel LE", 1, setup_records_two, call_rec_pop_le },
	{ "pop_sel NE (from the middle)", 1, setup_records_two, call_rec_pop_ne },
	{ "pop_sel HIGHEST", 1, setup_records_two, call_rec_pop_highest },
	{ "pop_sel ANY truncating", 1, setup_records_two, call_rec_pop_trunc },
	{ "pop_sel behind a hole", 1, setup_records_hole, call_rec_pop_highest },
	{ "ring_record_check", 1, setup_records_two, call_rec_check },
};

static const struct scenario spsc_scenarios[] = {
	{ "ring_spsc_attach producer", 0, setup_attach_spsc, call_attach_spsc_producer },
	{ "ring_spsc_attach consumer", 0, setup_attach_spsc, call_attach_spsc_consumer },
	{ "spsc try_push (refresh, wraps)", 0, setup_spsc_producer, call_spsc_try_push },
	{ "spsc try_push all-or-nothing", 0, setup_spsc_producer, call_spsc_try_push_whole },
	{ "ring_spsc_push nonblocking", 0, setup_spsc_producer, call_spsc_push },
	{ "spsc try_pop small buffer", 0, setup_spsc_consumer, call_spsc_try_pop_small },
	{ "spsc try_pop (refresh, wraps)", 0, setup_spsc_consumer, call_spsc_try_pop_big },
	{ "ring_spsc_pop nonblocking", 0, setup_spsc_consumer, call_spsc_pop },
};

/* ---- the runner ---- */

/* One call with the peer striking at hook call k: the number of hook calls it made. */
static unsigned long run_once(struct ctx *c, const struct scenario *sc,
			      const struct peer_variant *v, unsigned long k)
{
	unsigned long calls;

	peer_disarm();
	memset(c->arena, CANARY, sizeof c->arena);
	c->dst_len = 0;
	c->pr->strike = k;
	c->pr->point = -1;
	sc->setup(c);
	peer_arm(&c->target, v, k);
	sc->call(c);
	calls = peer_calls();
	peer_disarm();
	check_canaries(c);
	if (peer_foreign_calls() != 0)
		fail(c, "a hook point passed a region other than the ring header");
	return calls;
}

/* The child: every variant, every strike. */
static void run_scenario_child(struct ctx *c, const struct scenario *sc)
{
	struct peer_variant vs[MAX_VARIANTS];
	int nv = peer_variants(sc->record, vs, MAX_VARIANTS);

	for (int i = 0; i < nv; i++) {
		peer_variant_name(&vs[i], sc->record, c->pr->variant, sizeof c->pr->variant);
		for (unsigned long k = 1;; k++) {
			unsigned long calls;

			if (k > MAX_STRIKES) {
				fail(c, "still making hook calls after %lu strikes", MAX_STRIKES);
				break;
			}
			calls = run_once(c, sc, &vs[i], k);
			c->pr->runs++;
			if (calls > c->pr->max_calls)
				c->pr->max_calls = calls;
			/* A scenario that reaches no hook point could never fail here. */
			if (k == 1 && calls == 0)
				fail(c, "the call reached no hook point");
			if (calls < k)
				break;
		}
	}
}

static void map_ctx(struct ctx *c)
{
	c->len = ring_region_size(DS);
	c->mem = guarded_map(c->len);
	c->src = guarded_map(BIG);
	must(c->mem != NULL && c->src != NULL, "guarded_map");
	for (size_t i = 0; i < BIG; i++)
		c->src[i] = (unsigned char)(i * 7 + 1);
}

/* Runs one scenario in a child and turns its end into CUnit assertions. */
static void run_scenario(const struct scenario *sc)
{
	struct progress *pr = mmap(NULL, sizeof *pr, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char msg[1024];
	int status;
	pid_t pid;

	CU_ASSERT_FATAL(pr != MAP_FAILED);
	memset(pr, 0, sizeof *pr);
	pr->point = -1;
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		static struct ctx c;

		alarm(CHILD_SECONDS);
		map_ctx(&c);
		c.pr = pr;
		peer_report_to(&pr->point);
		run_scenario_child(&c, sc);
		_exit(pr->failures == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		CU_ASSERT_FATAL(errno == EINTR);
	msg[0] = '\0';
	if (WIFSIGNALED(status))
		snprintf(msg, sizeof msg,
			 "%s: killed by signal %d (%s) with peer %s, strike %lu at %s, after %lu runs",
			 sc->name, WTERMSIG(status), strsignal(WTERMSIG(status)), pr->variant,
			 pr->strike, point_name(pr->point), pr->runs);
	else if (WEXITSTATUS(status) != 0 && pr->failures > 0)
		snprintf(msg, sizeof msg, "%s: %u failures; first: %s", sc->name, pr->failures,
			 pr->first_failure);
	else if (WEXITSTATUS(status) != 0)
		snprintf(msg, sizeof msg,
			 "%s: exit status %d (a sanitizer report above?) with peer %s, strike %lu at %s",
			 sc->name, WEXITSTATUS(status), pr->variant, pr->strike,
			 point_name(pr->point));
	else
		printf("    %-34s %6lu runs, up to %lu hook calls per call\n", sc->name, pr->runs,
		       pr->max_calls);
	if (msg[0] != '\0') {
		fprintf(stderr, "ring_peer_test: %s\n", msg);
		CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
	munmap(pr, sizeof *pr);
}

static void run_table(const struct scenario *t, size_t n)
{
	printf("\n");
	for (size_t i = 0; i < n; i++)
		run_scenario(&t[i]);
}

static void test_byte_ring(void)
{
	run_table(byte_scenarios, sizeof byte_scenarios / sizeof byte_scenarios[0]);
}

static void test_record_ring(void)
{
	run_table(record_scenarios, sizeof record_scenarios / sizeof record_scenarios[0]);
}

static void test_spsc_ring(void)
{
	run_table(spsc_scenarios, sizeof spsc_scenarios / sizeof spsc_scenarios[0]);
}

/*
 * The detector works: a read of the byte just past the ring's region
 * kills the child that makes it (without this, "no crash" proves nothing).
 */
static void test_guard_catches_overrun(void)
{
	size_t len = ring_region_size(DS);
	unsigned char *mem = guarded_map(len);
	int status;
	pid_t pid;

	CU_ASSERT_FATAL(mem != NULL);
	CU_ASSERT(((uintptr_t)mem & 63) == 0);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		volatile unsigned char *p = mem;

		fprintf(stderr, "ring_peer_test: reading one byte past the region (a report or "
				"fault is expected here)\n");
		p[len - 1] = 1;
		(void)p[len];
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		CU_ASSERT_FATAL(errno == EINTR);
	CU_ASSERT(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
	guarded_unmap(mem, len);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a read past the guarded region is caught", test_guard_catches_overrun },
		{ "byte ring against an in-call peer", test_byte_ring },
		{ "record ring against an in-call peer", test_record_ring },
		{ "SPSC ring against an in-call peer", test_spsc_ring },
		CU_TEST_INFO_NULL,
	};

	return ring_test_run_suite("ring_peer", tests);
}
