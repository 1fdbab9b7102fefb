/*
 * Fuzz target: the shared-memory ring (impl/ring) against a hostile peer.
 *
 * Between operations the input overwrites whatever a process sharing the
 * mapping could: any bytes of the header and of data[], header fields by
 * name, record headers with near-valid values.  The ring must answer
 * every call with a result or an error, never touch memory outside its
 * region, never loop forever, never sleep.
 *
 * Memory: one mapping of two read-write pages between two PROT_NONE guard
 * pages.  The region sits against the upper guard (an overrun of data[]
 * faults at once, sanitizers or not) or against the lower one (an
 * underrun faults), as input byte 0 chooses.  The rest of the two pages
 * is filled with a canary checked after each input, so a stray write that
 * stays inside the pages is seen too.
 *
 * Only non-blocking calls: try_* and the blocking calls with nonblock set.
 * A lock word is the one thing a peer can use to stall us for good (a
 * word naming another live thread is indistinguishable from a holder;
 * ring.h: ring_recover() is the way out), and naming a dead thread costs
 * a SYNC_SLICE_MS sleep, so after each corruption the harness leaves lock
 * words free or naming this thread (taken over at once): liveness is not
 * what this target tests.
 *
 * Checked, beyond "no crash": each result is one the API documents for
 * that call; ring_check() answers 0, -EPROTO or -EUCLEAN; and the
 * validator agrees with the operations: while ring_check() (and in record
 * mode the record walk) finds the ring sound, no operation may report it
 * corrupted (-EUCLEAN), and ring_recover() always leaves it sound.
 *
 * Input: byte 0 picks data_size (64 << (b % 7)) and the layout (bit 7:
 * against the lower guard), byte 1 the mode and capacity as in
 * shm_ring_ops; then at most MAX_OPS steps, encoded as shm_ring_hostile.h
 * describes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/engine/fuzz_check.h"
#include "fuzz/shm_ring_hostile/shm_ring_hostile.h"
#include "impl/ring/ring.h"
#include "impl/ring/ring_record.h"
#include "impl/sync/sync_lock.h"
#include "impl/sync/sync_tid.h"

#define PAGE 4096u
#define SPAN (2 * PAGE) /* read-write pages: room for the largest region */
#define DATA_MAX 4096u
#define MAX_OPS 128
#define CANARY 0xa5

_Static_assert(RING_HDR_SIZE + DATA_MAX <= SPAN, "the region fits between the guards");

static unsigned char *span;     /* the read-write pages */
static unsigned char *mem;      /* the region, inside span */
static size_t mem_len;
static struct ring r;
static uint32_t data_size;
static unsigned char buf[DATA_MAX + 512];

/* Reads the input; past its end every read is 0. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static uint8_t take8(struct cursor *c)
{
	if (c->left == 0)
		return 0;
	c->left--;
	return *c->p++;
}

static uint64_t take(struct cursor *c, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)take8(c) << (8 * i);
	return v;
}

static void map_once(void)
{
	unsigned char *p;

	if (span != NULL)
		return;
	p = mmap(NULL, SPAN + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FUZZ_CHECK(p != MAP_FAILED);
	span = p + PAGE;
	FUZZ_CHECK(mprotect(span, SPAN, PROT_READ | PROT_WRITE) == 0);
}

/* Same sizes as shm_ring_ops: exact to 191, then steps of 68 past DATA_MAX. */
static size_t size_arg(uint8_t a)
{
	return a < 0xc0 ? a : (size_t)(a - 0xc0) * 68 + 0xc0;
}

static int init(uint16_t mode, uint32_t cap)
{
	memset(mem, 0, mem_len);
	if (mode == RING_MODE_RECORDS)
		return ring_record_init(mem, mem_len, data_size, cap);
	return ring_init(mem, mem_len, data_size, cap);
}

/* ---- what a hostile peer does ---- */

static struct ring_hdr *hdr(void)
{
	return (struct ring_hdr *)mem;
}

/* Any bytes anywhere in the region. */
static void poke_bytes(struct cursor *c)
{
	size_t off = (size_t)take(c, 2) % mem_len;
	size_t n = 1 + take8(c) % 16;

	for (size_t i = 0; i < n && off + i < mem_len; i++)
		mem[off + i] = take8(c);
}

/* A header field by name: set, or (counters) moved by a small amount. */
static void poke_field(struct cursor *c)
{
	struct ring_hdr *h = hdr();
	uint8_t which = take8(c);
	int64_t delta = (int16_t)take(c, 2);

	switch (which % FIELD_COUNT) {
	case FIELD_HEAD_ADD: atomic_fetch_add(&h->head, (uint64_t)delta); break;
	case FIELD_TAIL_ADD: atomic_fetch_add(&h->tail, (uint64_t)delta); break;
	case FIELD_HEAD_SET: atomic_store(&h->head, take(c, 8)); break;
	case FIELD_TAIL_SET: atomic_store(&h->tail, take(c, 8)); break;
	case FIELD_CAPACITY_POW2: atomic_store(&h->capacity, (uint32_t)1 << (delta & 31)); break;
	case FIELD_CAPACITY_SET: atomic_store(&h->capacity, (uint32_t)take(c, 4)); break;
	case FIELD_DATA_SIZE_POW2: h->data_size = (uint32_t)1 << (delta & 31); break;
	case FIELD_MODE: h->mode = (uint16_t)delta; break;
	case FIELD_FLAGS: h->flags = (uint32_t)delta; break;
	default: atomic_store(&h->magic, (uint32_t)take(c, 4)); break;
	}
}

/* A record header at head, or at an aligned place near it, with near-valid fields. */
static void poke_record(struct cursor *c)
{
	struct ring_hdr *h = hdr();
	uint8_t how = take8(c);
	uint64_t pos = atomic_load(&h->head) + (uint64_t)(how & 0x0f) * RING_REC_ALIGN;
	struct ring_rec_hdr rh = {
		.length = (uint32_t)take(c, 4),
		.kind = how & 0x10 ? (uint16_t)take(c, 2)
				   : how & 0x40 ? RING_REC_GONE : RING_REC_DATA,
		.tag = ring_record_tag(pos) ^ (how & 0x20 ? 1 : 0),
	};
	uint32_t cap = atomic_load(&h->capacity);
	const unsigned char *src = (const unsigned char *)&rh;
	size_t off;

	if (how & 0x80)
		rh.type = (uint16_t)take(c, 2);
	/* Where a consumer would look for it; the header's capacity only if it could use it. */
	if (cap < RING_REC_ALIGN || (cap & (cap - 1)) != 0 || cap > data_size)
		cap = data_size;
	off = (size_t)(pos & (cap - 1)) & ~(size_t)(RING_REC_ALIGN - 1);
	/* A header may wrap, as the ring's own do (ring_record.h). */
	for (size_t i = 0; i < sizeof rh; i++)
		mem[RING_HDR_SIZE + (off + i) % cap] = src[i];
}

/* See the top comment: lock words stay free, or ours. */
static void tame_lock(_Atomic uint32_t *word)
{
	uint32_t v = atomic_load(word);
	uint32_t owner = v & ~SYNC_LOCK_WAITERS;

	if (owner != 0 && owner != (uint32_t)sync_self_tid())
		atomic_store(word, v & SYNC_LOCK_WAITERS);
}

/* ---- the ring's answers ---- */

/* The validator's verdict, and whether operations must then agree with it. */
static bool sound(void)
{
	int err = ring_check(mem, mem_len);

	FUZZ_CHECK(err == 0 || err == -EPROTO || err == -EUCLEAN);
	if (err != 0 || hdr()->mode != r.mode)
		return false;
	if (r.mode == RING_MODE_RECORDS) {
		err = ring_record_check(mem, mem_len);
		FUZZ_CHECK(err == 0 || err == -EUCLEAN);
		return err == 0;
	}
	return true;
}

static bool common_error(long ret)
{
	return ret == -EPROTO || ret == -EUCLEAN || ret == -EAGAIN;
}

static void check_byte_push(ssize_t ret, size_t n)
{
	FUZZ_CHECK(common_error(ret) || (ret > 0 && (size_t)ret <= n) || (ret == 0 && n == 0));
}

static void check_byte_pop(ssize_t ret, size_t n)
{
	FUZZ_CHECK(common_error(ret) || (ret > 0 && (size_t)ret <= n) || (ret == 0 && n == 0));
}

static void check_record_push(ssize_t ret, size_t n)
{
	FUZZ_CHECK(common_error(ret) || ret == -EMSGSIZE || ret == -ENOMEM || ret == (ssize_t)n);
}

/* A selecting pop: the full length, which only truncation lets exceed n. */
static void check_select_pop(ssize_t ret, size_t n, const struct ring_rec_sel *sel)
{
	bool valid = (unsigned)sel->match <= RING_REC_HIGHEST;

	/* An unknown selector is refused, after the mode check. */
	FUZZ_CHECK(valid ? ret != -EINVAL : ret == -EINVAL || ret == -EPROTO);
	FUZZ_CHECK(common_error(ret) || ret == -EINVAL || ret == -E2BIG ||
		   (ret >= 0 && ret <= (long)data_size &&
		    ((size_t)ret <= n || (sel->flags & RING_REC_TRUNC))));
}

static void check_record_pop(ssize_t ret, size_t n)
{
	FUZZ_CHECK(common_error(ret) || ret == -EMSGSIZE || (ret >= 0 && (size_t)ret <= n));
}

/* One operation of a well-behaved process on the (perhaps corrupted) ring. */
static long operate(uint8_t code, struct cursor *c)
{
	size_t n = size_arg(take8(c));
	unsigned char *dst = buf + sizeof buf - n;
	bool flag = code & CALL_FLAG;
	struct ring_block nb = { .nonblock = 1, .atomic_max = flag ? 4096 : 0 };
	uint8_t arg2 = take8(c);
	uint32_t cap = (uint32_t)1 << (arg2 % 13);
	/* Selector from the same byte: a match (one value in six is no selector), a type. */
	struct ring_rec_sel sel = {
		.match = (enum ring_rec_match)(arg2 % 6),
		.type = (uint16_t)(arg2 >> 3),
		.flags = flag ? RING_REC_TRUNC : 0,
	};
	uint16_t type;
	long ret;

	switch ((code & ~CALL_FLAG) % CALL_COUNT) {
	case CALL_BYTE_TRY_PUSH: check_byte_push(ret = ring_try_push(&r, buf, n, flag), n); break;
	case CALL_BYTE_TRY_POP: check_byte_pop(ret = ring_try_pop(&r, dst, n), n); break;
	case CALL_BYTE_PUSH: check_byte_push(ret = ring_push(&r, buf, n, &nb), n); break;
	case CALL_BYTE_POP: check_byte_pop(ret = ring_pop(&r, dst, n, &nb), n); break;
	case CALL_RECORD_TRY_PUSH: check_record_push(ret = ring_record_try_push(&r, buf, n), n); break;
	case CALL_RECORD_TRY_POP: check_record_pop(ret = ring_record_try_pop(&r, dst, n), n); break;
	case CALL_RECORD_PUSH: check_record_push(ret = ring_record_push(&r, buf, n, &nb), n); break;
	case CALL_RECORD_POP: check_record_pop(ret = ring_record_pop(&r, dst, n, &nb), n); break;
	case CALL_RECORD_PEEK:
		ret = ring_record_peek(&r);
		FUZZ_CHECK(common_error(ret) || (ret >= 0 && ret <= (long)data_size));
		break;
	case CALL_RECORD_PUSH_TYPE:
		check_record_push(ret = ring_record_try_push_type(&r, buf, n, arg2), n);
		break;
	case CALL_RECORD_POP_SEL:
		check_select_pop(ret = ring_record_try_pop_sel(&r, dst, n, &sel, &type), n, &sel);
		break;
	case CALL_SET_CAPACITY:
		ret = flag ? ring_reset(&r, cap) : ring_set_capacity(&r, cap);
		FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EBUSY || ret == -EUCLEAN ||
			   ret == -ENOMEM);
		break;
	default:
		ret = ring_used(&r);
		FUZZ_CHECK(ret == -EUCLEAN || (ret >= 0 && ret <= (long)data_size));
		ret = ring_capacity(&r);
		FUZZ_CHECK(ret == -EUCLEAN || (ret > 0 && ret <= (long)data_size));
		break;
	}
	return ret;
}

/* Repairs what ring_recover() can; a region that is no ring any more is laid out anew. */
static void recover(void)
{
	int err = ring_recover(mem, mem_len);

	FUZZ_CHECK(err == 0 || err == -EPROTO);
	if (err == -EPROTO) {
		FUZZ_CHECK(init(r.mode, r.mode == RING_MODE_RECORDS ? RING_REC_MIN_CAPACITY : 1) == 0);
		return;
	}
	FUZZ_CHECK(ring_check(mem, mem_len) == 0);
	if (hdr()->mode == RING_MODE_RECORDS)
		FUZZ_CHECK(ring_record_check(mem, mem_len) == 0);
}

static void step(struct cursor *c)
{
	uint8_t code = take8(c);
	bool was_sound = sound();
	long ret;

	switch (take8(c) % ACT_COUNT) {
	case ACT_POKE_BYTES: poke_bytes(c); break;
	case ACT_POKE_FIELD: poke_field(c); break;
	case ACT_POKE_RECORD: poke_record(c); break;
	case ACT_RECOVER: recover(); break;
	default:
		ret = operate(code, c);
		/* A sound ring is never called corrupted (nobody else runs here). */
		FUZZ_CHECK(!(was_sound && ret == -EUCLEAN));
		break;
	}
	tame_lock(&hdr()->p_lock);
	tame_lock(&hdr()->c_lock);
}

static void check_canary(void)
{
	for (unsigned char *p = span; p < mem; p++)
		FUZZ_CHECK(*p == CANARY);
	for (unsigned char *p = mem + mem_len; p < span + SPAN; p++)
		FUZZ_CHECK(*p == CANARY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	uint8_t b0, b1;
	uint16_t mode;
	uint32_t cap;
	int log2 = 0;

	if (size < 2)
		return 0;
	map_once();
	b0 = take8(&c);
	b1 = take8(&c);
	data_size = 64u << (b0 % 7);
	while ((1u << log2) < data_size)
		log2++;
	mem_len = ring_region_size(data_size);
	mem = b0 & 0x80 ? span : span + SPAN - mem_len;
	memset(span, CANARY, SPAN);
	mode = b1 & 0x80 ? RING_MODE_RECORDS : RING_MODE_BYTES;
	cap = 1u << ((b1 & 0x7f) % (log2 + 1));
	if (mode == RING_MODE_RECORDS && cap < RING_REC_MIN_CAPACITY)
		cap = RING_REC_MIN_CAPACITY;
	FUZZ_CHECK(init(mode, cap) == 0);
	FUZZ_CHECK(ring_attach(&r, mem, mem_len) == 0);
	for (int ops = 0; c.left > 0 && ops < MAX_OPS; ops++)
		step(&c);
	check_canary();
	return 0;
}
