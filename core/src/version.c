#include "internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)

ESPCTL_API const char *espctl_version(void)
{
    return STR(ESPCTL_VERSION_MAJOR) "." STR(ESPCTL_VERSION_MINOR) "." STR(ESPCTL_VERSION_PATCH);
}
