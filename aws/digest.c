/*
 * digest.c - payload digests with OpenSSL's libcrypto (already loaded by libcurl):
 * SHA-256 for x-amz-content-sha256, MD5 for DeleteObjects' Content-MD5.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "aws_internal.h"

void ldaws_sha256_hex(const void *data, size_t length, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data, length, digest, &size, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

static void to_hex(const unsigned char *digest, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

int ldaws_sha256_fd_hex(int fd, uint64_t offset, uint64_t length, char hex[65])
{
    enum { CHUNK = 1 << 20 };
    unsigned char *buffer = malloc(CHUNK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = buffer != NULL && ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1
                 ? LD_OK
                 : LD_ERR_NOMEM;
    while (rc == LD_OK && length > 0) {
        ssize_t n = pread(fd, buffer, length < CHUNK ? (size_t)length : CHUNK, (off_t)offset);
        if (n <= 0) {
            rc = LD_ERR_IO;
            break;
        }
        EVP_DigestUpdate(ctx, buffer, (size_t)n);
        offset += (uint64_t)n;
        length -= (uint64_t)n;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (rc == LD_OK && EVP_DigestFinal_ex(ctx, digest, &size) == 1)
        to_hex(digest, hex);
    EVP_MD_CTX_free(ctx);
    free(buffer);
    return rc;
}

void ldaws_md5_base64(const void *data, size_t length, char b64[25])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data, length, digest, &size, EVP_md5(), NULL);
    EVP_EncodeBlock((unsigned char *)b64, digest, 16);
}
