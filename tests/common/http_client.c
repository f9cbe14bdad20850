/*
 * http_client.c - see http_client.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http_client.h"

static size_t collect(char *data, size_t size, size_t count, void *user)
{
    ldt_http_reply *reply = user;
    size_t n = size * count;
    char *grown = realloc(reply->body, reply->body_length + n + 1);
    if (grown == NULL)
        return 0;
    reply->body = grown;
    memcpy(reply->body + reply->body_length, data, n);
    reply->body_length += n;
    reply->body[reply->body_length] = '\0';
    return n;
}

int ldt_http_request(const char *method, unsigned port, const char *path, const char *body,
                     size_t body_length, ldt_http_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->body = calloc(1, 1);
    CURL *curl = curl_easy_init();
    if (curl == NULL || reply->body == NULL)
        return -1;
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
        char *type = NULL;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
        if (type != NULL)
            snprintf(reply->content_type, sizeof reply->content_type, "%s", type);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return rc == CURLE_OK ? 0 : -1;
}

void ldt_http_reply_free(ldt_http_reply *reply)
{
    free(reply->body);
    memset(reply, 0, sizeof *reply);
}
