#!/bin/sh
echo "ipcconf: coverage tools are not available in this offline workspace" >&2
exit 1
