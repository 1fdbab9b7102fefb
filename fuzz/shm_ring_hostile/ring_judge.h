/*
 * ring_judge.h -- shm_ring_hostile's soundness oracle: is a region a sound
 * ring, judged from its bytes alone by the invariants ring.h and
 * ring_record.h document (restated in ring_layout.h)?
 *
 * Independent of the code it judges: no call into impl/ring, so a bug in
 * ring_check() or ring_record_check() cannot hide itself by moving both
 * sides of a check.  Never writes.  Call it only while nobody operates on
 * the ring (between a harness's steps).
 */
#ifndef IPCCONF_FUZZ_RING_JUDGE_H
#define IPCCONF_FUZZ_RING_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* From worst to best; each level implies the ones below it hold. */
enum verdict {
	NOT_A_RING,      /* identity or geometry wrong: ring_check() says -EPROTO */
	HEADER_CORRUPT,  /* capacity or counters out of range: -EUCLEAN */
	RECORDS_CORRUPT, /* record mode: the header is sound, a record header is not */
	SOUND,           /* every documented invariant holds */
};

/* The records a walk from head to tail meets: a data area of 4 KiB holds at most 256. */
#define JUDGE_MAX_RECORDS 256

struct judged_record {
	uint64_t pos; /* stream position of its header */
	uint32_t length;
	uint16_t kind; /* LAYOUT_KIND_DATA or LAYOUT_KIND_GONE */
	uint16_t type;
};

struct judgement {
	enum verdict verdict;
	/* Identity and geometry: valid unless NOT_A_RING. */
	uint16_t mode;
	uint32_t data_size;
	/* Capacity and counters: valid from RECORDS_CORRUPT up. */
	uint32_t cap;
	uint64_t head, tail;
	/* SOUND record rings: every record from head, and the bytes of the live ones. */
	uint32_t nrec;
	struct judged_record rec[JUDGE_MAX_RECORDS];
	uint64_t live_bytes;
};

/*
 * Judges the `len`-byte region at mem.  The record walk stops (and says
 * RECORDS_CORRUPT) past JUDGE_MAX_RECORDS records, which a sound ring of
 * at most 4 KiB of data cannot have.
 */
void judge_ring(const unsigned char *mem, size_t len, struct judgement *j);

/* The oldest live record, or NULL. */
const struct judged_record *judged_first_live(const struct judgement *j);

#endif /* IPCCONF_FUZZ_RING_JUDGE_H */
