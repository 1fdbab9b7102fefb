/*
 * The incremental decoder.  Bytes are copied into the decoder's own buffer
 * until a frame is complete, so a frame may arrive in any number of chunks
 * and the caller may reuse its read buffer at once.
 */
#include "impl/framing/framing.h"

#include <string.h>

#include "impl/framing/framing_int.h"

/*
 * Checks the header fields whose bytes are all in h[0..have).  Called
 * again after every chunk while the header is incomplete, so each field is
 * judged as soon as it is whole, in wire order: the error a stream yields
 * does not depend on how it was chunked.
 */
static int header_error(const uint8_t *h, uint32_t have)
{
	uint32_t n = have < 4 ? have : 4;

	if (memcmp(h + FRAME_OFF_MAGIC, IPCCONF_FRAME_MAGIC, n) != 0)
		return IPCCONF_FRAME_EMAGIC;
	if (have > FRAME_OFF_VERSION && h[FRAME_OFF_VERSION] != IPCCONF_FRAME_VERSION)
		return IPCCONF_FRAME_EVERSION;
	if (have >= FRAME_OFF_LENGTH + 4) {
		uint32_t len = frame_get_le32(h + FRAME_OFF_LENGTH);

		if (len > IPCCONF_FRAME_MAX_PAYLOAD)
			return IPCCONF_FRAME_ETOOBIG;
	}
	return 0;
}

void ipcconf_frame_decoder_reset(struct ipcconf_frame_decoder *d)
{
	/* buf is not cleared: nothing reads it beyond `have`. */
	d->status = 0;
	d->have = 0;
	d->need = IPCCONF_FRAME_HEADER_SIZE;
}

static int fail(struct ipcconf_frame_decoder *d, int err)
{
	d->status = err;
	return err;
}

/* buf holds a whole frame of d->need bytes: verify it and hand it out. */
static int complete(struct ipcconf_frame_decoder *d, struct ipcconf_frame *out)
{
	uint32_t len = d->need - IPCCONF_FRAME_HEADER_SIZE;
	const uint8_t *payload = d->buf + IPCCONF_FRAME_HEADER_SIZE;

	if (ipcconf_frame_checksum(d->buf, payload, len) !=
	    frame_get_le32(d->buf + FRAME_OFF_CRC))
		return fail(d, IPCCONF_FRAME_ECHECKSUM);
	out->type = d->buf[FRAME_OFF_TYPE];
	out->flags = frame_get_le16(d->buf + FRAME_OFF_FLAGS);
	out->length = len;
	out->payload = payload;
	/*
	 * Start the next frame now; its bytes overwrite buf only on the next
	 * call, which is why the payload stays valid until then.
	 */
	d->have = 0;
	d->need = IPCCONF_FRAME_HEADER_SIZE;
	return IPCCONF_FRAME_READY;
}

int ipcconf_frame_decode(struct ipcconf_frame_decoder *d, const void *data,
                         size_t len, size_t *consumed, struct ipcconf_frame *out)
{
	const uint8_t *in = data;
	size_t used = 0;
	int err;

	if (d == NULL || consumed == NULL || out == NULL || (data == NULL && len > 0))
		return IPCCONF_FRAME_EINVAL;
	*consumed = 0;
	if (d->status != 0)
		return d->status;

	while (used < len) {
		int in_header = d->have < IPCCONF_FRAME_HEADER_SIZE;
		size_t take = d->need - d->have;

		if (take > len - used)
			take = len - used;
		memcpy(d->buf + d->have, in + used, take);
		d->have += (uint32_t)take;
		used += take;
		*consumed = used;

		if (in_header) {
			err = header_error(d->buf, d->have);
			if (err != 0)
				return fail(d, err);
			if (d->have < IPCCONF_FRAME_HEADER_SIZE)
				continue; /* all input taken; the loop ends */
			/* header_error() bounded the length: need <= sizeof buf. */
			d->need = IPCCONF_FRAME_HEADER_SIZE +
			          frame_get_le32(d->buf + FRAME_OFF_LENGTH);
		}
		if (d->have == d->need)
			return complete(d, out);
	}
	return IPCCONF_FRAME_NEED_MORE;
}

int ipcconf_frame_finish(struct ipcconf_frame_decoder *d)
{
	if (d == NULL)
		return IPCCONF_FRAME_EINVAL;
	if (d->status != 0)
		return d->status;
	if (d->have != 0)
		return fail(d, IPCCONF_FRAME_ETRUNCATED);
	return 0;
}
