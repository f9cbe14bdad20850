/*
 * uuid.c - random UUIDs through libuuid, and strict UUID syntax checks (letsdata/uuid.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include <letsdata/uuid.h>

LD_EXTERN void ld_uuid_v4(char out[LD_UUID_STRING_LENGTH + 1])
{
    uuid_t id;
    /* uuid_generate_random reads getrandom()/urandom and is thread-safe. */
    uuid_generate_random(id);
    uuid_unparse_lower(id, out);
}

LD_EXTERN char *ld_uuid_v4_new(void)
{
    char *out = malloc(LD_UUID_STRING_LENGTH + 1);
    if (out != NULL)
        ld_uuid_v4(out);
    return out;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

LD_EXTERN int ld_uuid_is_valid(const char *text)
{
    if (text == NULL || strlen(text) != LD_UUID_STRING_LENGTH)
        return 0;
    for (int i = 0; i < LD_UUID_STRING_LENGTH; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !is_hex(text[i]))
            return 0;
    }
    /* Version nibble 1-5; variant bits 10xx (8, 9, a, b). */
    char version = text[14], variant = text[19];
    if (version < '1' || version > '5')
        return 0;
    return strchr("89abAB", variant) != NULL;
}
