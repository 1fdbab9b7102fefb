/*
 * ring_peer_test_hostile.h -- the hostile peer of ring_peer_test: a
 * ring_peer_hook (ring_peer.h) that, at one chosen hook call, rewrites
 * header fields and record headers of the ring to hostile values.
 *
 * A variant names what is rewritten (one field, or all of them at once)
 * and with which kind of value; the strike number names at which hook
 * call.  The test runs every variant at strike 1, 2, 3, ... until a call
 * makes fewer hook calls than the strike number.
 *
 * The peer knows the ring only as the test set it up (struct
 * peer_target) and writes the layout of ring.h and ring_record.h with its
 * own code: it shares nothing with the code under test but the header
 * struct's field names.
 */
#ifndef IPCCONF_RING_PEER_TEST_HOSTILE_H
#define IPCCONF_RING_PEER_TEST_HOSTILE_H

#include <stddef.h>
#include <stdint.h>

enum peer_field {
	PF_DATA_SIZE,
	PF_CAPACITY,
	PF_HDR_SIZE,
	PF_MODE,
	PF_HEAD,
	PF_TAIL,
	PF_REC_LENGTH, /* record mode only: fields of the record at rec_pos[rec_index] */
	PF_REC_KIND,
	PF_REC_TAG,
	PF_ALL,        /* every field above (record ones in record mode) at once */
	PF_COUNT
};

enum peer_value {
	PV_ZERO,   /* 0 */
	PV_HUGE,   /* far out of range: 2^31, all ones, counters 2^40 apart */
	PV_ODD,    /* not a power of two, misaligned, off by one */
	PV_PAST,   /* just past the data area: twice its size, one lap on */
	PV_MAXED,  /* RING_DATA_MAX: a power of two the region cannot hold */
	PV_SHRINK, /* smaller but plausible: half the size, counters crossed */
	PV_COUNT
};

struct peer_variant {
	enum peer_field field;
	enum peer_value value;
	int rec_index; /* which of the two records PF_REC_* and PF_ALL hit */
};

/* What the peer knows of the ring it attacks. */
struct peer_target {
	unsigned char *region; /* the ring header */
	uint32_t data_size;    /* as set up; the capacity was set up equal to it */
	int record;            /* record mode */
	int nrec;              /* valid entries of rec_pos */
	uint64_t rec_pos[2];   /* stream positions of the first two records */
};

/* Every variant that applies to a ring of this mode; returns the count. */
int peer_variants(int record, struct peer_variant *out, int max);

/* "capacity=past", "rec1.tag=odd", "all=zero", ... into buf. */
const char *peer_variant_name(const struct peer_variant *v, int record, char *buf, size_t len);

/* Installs the hook: at hook call number `strike` the variant is applied. */
void peer_arm(const struct peer_target *t, const struct peer_variant *v, unsigned long strike);

/* Removes the hook. */
void peer_disarm(void);

/* Hook calls since peer_arm(). */
unsigned long peer_calls(void);

/* The point (enum ring_peer_point) of the strike, or -1 when it did not come. */
int peer_struck_point(void);

/*
 * Also store the strike's point at *point_out as it happens (shared
 * memory, so that a parent learns where a child was when it crashed).
 */
void peer_report_to(int *point_out);

/* Strikes that came with a region other than the target's (a hook point passing the wrong pointer). */
unsigned long peer_foreign_calls(void);

/* The record tag of stream position pos, computed here (ring_record.h, format 2). */
uint16_t peer_tag(uint64_t pos);

#endif /* IPCCONF_RING_PEER_TEST_HOSTILE_H */
