/* Names for the codec's status codes. */
#include "impl/framing/framing.h"

const char *ipcconf_frame_strerror(int status)
{
	switch (status) {
	case IPCCONF_FRAME_NEED_MORE:
		return "no error (need more input)";
	case IPCCONF_FRAME_READY:
		return "no error (frame ready)";
	case IPCCONF_FRAME_EMAGIC:
		return "bad magic: not at a frame boundary";
	case IPCCONF_FRAME_EVERSION:
		return "unsupported frame version";
	case IPCCONF_FRAME_ETOOBIG:
		return "payload length over the maximum";
	case IPCCONF_FRAME_ECHECKSUM:
		return "checksum mismatch";
	case IPCCONF_FRAME_ETRUNCATED:
		return "stream ended inside a frame";
	case IPCCONF_FRAME_ENOSPC:
		return "buffer too small for the frame";
	case IPCCONF_FRAME_EINVAL:
		return "invalid argument";
	}
	return "unknown frame status";
}
