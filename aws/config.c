/*
 * config.c - where requests go: region, endpoints (AWS_ENDPOINT_URL*), the shared
 * config/credentials files, and the CA bundle.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_internal.h"

const char *ldaws_env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && *value != '\0' ? value : NULL;
}

const char *ldaws_profile(void)
{
    const char *profile = ldaws_env("AWS_PROFILE");
    return profile != NULL ? profile : "default";
}

char *ldaws_config_path(const char *variable, const char *name)
{
    const char *set = ldaws_env(variable);
    if (set != NULL)
        return strdup(set);
    const char *home = ldaws_env("HOME");
    if (home == NULL)
        return NULL;
    size_t n = strlen(home) + strlen(name) + 8;
    char *path = malloc(n);
    if (path != NULL)
        snprintf(path, n, "%s/.aws/%s", home, name);
    return path;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Sections are "[name]" in the credentials file and "[profile name]" (or "[default]")
 * in the config file; both spellings are accepted in both files, as the SDKs do. */
static int section_matches(const char *header, const char *section)
{
    if (strcmp(header, section) == 0)
        return 1;
    if (strncmp(header, "profile", 7) == 0 && isspace((unsigned char)header[7])) {
        const char *rest = header + 8;
        while (isspace((unsigned char)*rest))
            rest++;
        return strcmp(rest, section) == 0;
    }
    return 0;
}

char *ldaws_ini_get(const char *path, const char *section, const char *key, int *file_found)
{
    if (file_found != NULL)
        *file_found = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    if (file_found != NULL)
        *file_found = 1;
    char line[4096];
    int inside = 0;
    char *value = NULL;
    while (value == NULL && fgets(line, sizeof line, f) != NULL) {
        char *text = trim(line);
        if (*text == '#' || *text == ';' || *text == '\0')
            continue;
        if (*text == '[') {
            char *close = strchr(text, ']');
            if (close != NULL) {
                *close = '\0';
                inside = section_matches(trim(text + 1), section);
            }
            continue;
        }
        char *equals = strchr(text, '=');
        if (!inside || equals == NULL)
            continue;
        *equals = '\0';
        if (strcmp(trim(text), key) == 0)
            value = strdup(trim(equals + 1));
    }
    fclose(f);
    return value;
}

char *ld_aws_resolve_region(ld_aws_error *error)
{
    ldaws_error_clear(error);
    const char *region = ldaws_env("AWS_REGION");
    if (region == NULL)
        region = ldaws_env("AWS_DEFAULT_REGION");
    if (region != NULL) {
        char *copy = strdup(region);
        if (copy == NULL)
            ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return copy;
    }
    char *path = ldaws_config_path("AWS_CONFIG_FILE", "config");
    int found = 0;
    char *value = path != NULL ? ldaws_ini_get(path, ldaws_profile(), "region", &found) : NULL;
    if (value == NULL || *value == '\0') {
        free(value);
        value = NULL;
        ldaws_error_set(error, LD_ERR_NOT_FOUND,
                        "no AWS region: AWS_REGION and AWS_DEFAULT_REGION are unset, and %s%s "
                        "has no region for profile '%s'",
                        path != NULL ? path : "~/.aws/config (HOME unset)",
                        path != NULL && !found ? " does not exist or" : "", ldaws_profile());
    }
    free(path);
    return value;
}

/* AWS_ENDPOINT_URL_<ID>: the service id upper-cased, spaces and dashes as underscores. */
static void endpoint_variable(const char *service_id, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "AWS_ENDPOINT_URL_");
    for (const char *p = service_id; *p != '\0' && n + 1 < size; p++)
        out[n++] = (*p == ' ' || *p == '-') ? '_' : (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

static int valid_url(const char *url)
{
    return (strncmp(url, "http://", 7) == 0 && url[7] != '\0') ||
           (strncmp(url, "https://", 8) == 0 && url[8] != '\0');
}

char *ld_aws_resolve_endpoint(const char *service_id, const char *endpoint_prefix,
                              const char *region, int *is_override, ld_aws_error *error)
{
    ldaws_error_clear(error);
    if (is_override != NULL)
        *is_override = 0;
    if (service_id == NULL || endpoint_prefix == NULL) {
        ldaws_error_set(error, LD_ERR_INVALID, "the service id and endpoint prefix are required");
        return NULL;
    }
    char variable[128];
    endpoint_variable(service_id, variable, sizeof variable);
    const char *name = variable;
    const char *url = ldaws_env(variable);
    if (url == NULL) {
        name = "AWS_ENDPOINT_URL";
        url = ldaws_env(name);
    }
    if (url != NULL) {
        if (!valid_url(url)) {
            ldaws_error_set(error, LD_ERR_INVALID,
                            "%s=%s is not an http:// or https:// URL", name, url);
            return NULL;
        }
        char *copy = strdup(url);
        if (copy == NULL) {
            ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
            return NULL;
        }
        size_t n = strlen(copy);
        while (n > 8 && copy[n - 1] == '/')
            copy[--n] = '\0';
        if (is_override != NULL)
            *is_override = 1;
        return copy;
    }
    if (region == NULL || *region == '\0') {
        ldaws_error_set(error, LD_ERR_INVALID,
                        "no region for the %s endpoint (and neither %s nor AWS_ENDPOINT_URL "
                        "is set)",
                        service_id, variable);
        return NULL;
    }
    for (const char *p = region; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '-') {
            ldaws_error_set(error, LD_ERR_INVALID, "the region '%s' is not a region name",
                            region);
            return NULL;
        }
    const char *suffix = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    size_t n = strlen(endpoint_prefix) + strlen(region) + strlen(suffix) + 16;
    char *built = malloc(n);
    if (built == NULL) {
        ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(built, n, "https://%s.%s.%s", endpoint_prefix, region, suffix);
    return built;
}

char *ld_aws_ca_bundle(void)
{
    const char *set = ldaws_env("AWS_CA_BUNDLE");
    if (set == NULL)
        set = ldaws_env("SSL_CERT_FILE");
    if (set != NULL)
        return strdup(set);
    static const char *const known[] = {
        "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu */
        "/etc/pki/tls/certs/ca-bundle.crt",   /* Amazon Linux, Fedora, RHEL */
        "/etc/ssl/ca-bundle.pem",             /* SUSE */
        "/etc/ssl/cert.pem",                  /* Alpine */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (access(known[i], R_OK) == 0)
            return strdup(known[i]);
    return NULL;
}
