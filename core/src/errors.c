/* Error codes: one table for names and texts, and the thread-local detail slot. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

struct error_row {
    int code;
    const char *name;
    const char *text;
};

#define ROW(sym, text) { sym, #sym, text }
static const struct error_row error_table[] = {
    ROW(ESPCTL_OK, "success"),
    ROW(ESPCTL_E_INVAL, "invalid argument"),
    ROW(ESPCTL_E_NOMEM, "out of memory"),
    ROW(ESPCTL_E_IO, "input/output error"),
    ROW(ESPCTL_E_TIMEOUT, "timed out"),
    ROW(ESPCTL_E_NOT_FOUND, "not found"),
    ROW(ESPCTL_E_BUSY, "resource busy"),
    ROW(ESPCTL_E_ACCESS, "permission denied"),
    ROW(ESPCTL_E_NO_DEVICE, "no such device"),
    ROW(ESPCTL_E_NOT_SUPPORTED, "operation not supported"),
    ROW(ESPCTL_E_PROTOCOL, "protocol error"),
    ROW(ESPCTL_E_TARGET, "target fault"),
    ROW(ESPCTL_E_CANCELLED, "cancelled"),
    ROW(ESPCTL_E_VERIFY, "verification failed"),
    ROW(ESPCTL_E_ABI, "ABI version mismatch"),
    ROW(ESPCTL_E_CONFIG, "invalid configuration"),
    ROW(ESPCTL_E_FORMAT, "malformed input"),
    ROW(ESPCTL_E_INTEGRITY, "integrity check failed"),
    ROW(ESPCTL_E_UNTRUSTED, "signed by an untrusted key"),
    ROW(ESPCTL_E_UNSIGNED, "signature missing"),
    ROW(ESPCTL_E_OTHER, "other error"),
};
#undef ROW

static const struct error_row *find_row(int code)
{
    for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++) {
        if (error_table[i].code == code)
            return &error_table[i];
    }
    return NULL;
}

ESPCTL_API const char *espctl_strerror(int code)
{
    const struct error_row *row = find_row(code);
    return row ? row->text : "unknown error";
}

ESPCTL_API const char *espctl_error_name(int code)
{
    const struct error_row *row = find_row(code);
    return row ? row->name : "ESPCTL_E_UNKNOWN";
}

/* The one piece of state outside a context: each thread's last failure detail. */
static _Thread_local char last_error[2048];

ESPCTL_API const char *espctl_last_error(void)
{
    return last_error;
}

ESPCTL_API void espctl_clear_error(void)
{
    last_error[0] = '\0';
}

int core_verror(int code, const char *fmt, va_list ap)
{
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    return code;
}

int core_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    core_verror(code, fmt, ap);
    va_end(ap);
    return code;
}

int core_error_str(int code, const char *message)
{
    snprintf(last_error, sizeof last_error, "%s", message ? message : "");
    return code;
}
