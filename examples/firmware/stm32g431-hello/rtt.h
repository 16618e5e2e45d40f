/* Minimal SEGGER RTT: control block _SEGGER_RTT with up buffer 0 "Terminal" (and an unused down buffer). */
#ifndef HELLO_RTT_H
#define HELLO_RTT_H

#include <stddef.h>

/** Append @p len bytes to up buffer 0, dropping what does not fit (non-blocking mode). */
void rtt_write(const char *data, size_t len);

#endif
