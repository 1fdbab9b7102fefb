/* The encoder: one frame into a caller's buffer (layout in framing.h). */
#include "impl/framing/framing.h"

#include <string.h>

#include "impl/framing/framing_int.h"

int ipcconf_frame_encode(void *buf, size_t cap, uint8_t type, uint16_t flags,
                         const void *payload, size_t len)
{
	uint8_t *h = buf;

	if (buf == NULL || (payload == NULL && len > 0))
		return IPCCONF_FRAME_EINVAL;
	if (len > IPCCONF_FRAME_MAX_PAYLOAD)
		return IPCCONF_FRAME_ETOOBIG;
	if (cap < IPCCONF_FRAME_SIZE(len))
		return IPCCONF_FRAME_ENOSPC;

	/* memmove: the payload may have been built in place, or overlap. */
	if (len > 0)
		memmove(h + IPCCONF_FRAME_HEADER_SIZE, payload, len);
	memcpy(h + FRAME_OFF_MAGIC, IPCCONF_FRAME_MAGIC, 4);
	h[FRAME_OFF_VERSION] = IPCCONF_FRAME_VERSION;
	h[FRAME_OFF_TYPE] = type;
	frame_put_le16(h + FRAME_OFF_FLAGS, flags);
	frame_put_le32(h + FRAME_OFF_LENGTH, (uint32_t)len);
	frame_put_le32(h + FRAME_OFF_CRC,
	               ipcconf_frame_checksum(h, h + IPCCONF_FRAME_HEADER_SIZE, (uint32_t)len));
	return (int)IPCCONF_FRAME_SIZE(len);
}
