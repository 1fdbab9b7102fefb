/*
 * Framed messages over a byte stream: see channel.h.
 */
#include "impl/framing/channel.h"

#include <errno.h>
#include <string.h>

void ipcconf_channel_init(struct ipcconf_channel *ch)
{
	ipcconf_frame_decoder_reset(&ch->dec);
	ch->pos = 0;
	ch->len = 0;
	ch->eof = 0;
	ch->error = 0;
	ch->frame_error = 0;
}

int ipcconf_channel_send(const struct ipcconf_iut *iut, int h, uint8_t type,
                         uint16_t flags, const void *payload, size_t len)
{
	uint8_t buf[IPCCONF_FRAME_MAX_SIZE];

	if (iut == NULL || iut->stream == NULL || iut->stream->write == NULL)
		return -EINVAL;
	int n = ipcconf_frame_encode(buf, sizeof buf, type, flags, payload, len);
	if (n == IPCCONF_FRAME_ETOOBIG)
		return -EMSGSIZE;
	if (n < 0)
		return -EINVAL;

	size_t done = 0;
	while (done < (size_t)n) {
		ssize_t w = iut->stream->write(iut, h, buf + done, (size_t)n - done);
		if (w == -EINTR)
			continue;
		if (w < 0)
			return (int)w;
		if (w == 0)
			return -EIO;
		done += (size_t)w;
	}
	return 0;
}

/* Makes a decoder error sticky as the errno the channel reports. */
static int frame_fail(struct ipcconf_channel *ch, int code)
{
	ch->frame_error = code;
	ch->error = code == IPCCONF_FRAME_ETRUNCATED ? -EPROTO : -EBADMSG;
	return ch->error;
}

int ipcconf_channel_recv(struct ipcconf_channel *ch, const struct ipcconf_iut *iut,
                         int h, struct ipcconf_frame *out)
{
	if (ch == NULL || iut == NULL || iut->stream == NULL || iut->stream->read == NULL || out == NULL)
		return -EINVAL;
	if (ch->error)
		return ch->error;
	if (ch->eof)
		return 0;
	for (;;) {
		/* First whatever an earlier read left over. */
		if (ch->pos < ch->len) {
			size_t used = 0;
			int r = ipcconf_frame_decode(&ch->dec, ch->rbuf + ch->pos, ch->len - ch->pos,
			                             &used, out);
			ch->pos += (uint32_t)used;
			if (r == IPCCONF_FRAME_READY)
				return 1;
			if (r < 0)
				return frame_fail(ch, r);
			/* NEED_MORE: every byte was taken. */
		}
		ch->pos = ch->len = 0;

		ssize_t n = iut->stream->read(iut, h, ch->rbuf, sizeof ch->rbuf);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		if (n == 0) {
			int r = ipcconf_frame_finish(&ch->dec);
			if (r < 0)
				return frame_fail(ch, r);
			ch->eof = 1;
			return 0;
		}
		if ((size_t)n > sizeof ch->rbuf)
			return ch->error = -EIO; /* a broken stream: more than asked */
		ch->len = (uint32_t)n;
	}
}

int ipcconf_channel_frame_error(const struct ipcconf_channel *ch)
{
	return ch->frame_error;
}
