/*
 * digest.c - payload digests with OpenSSL's libcrypto (already loaded by libcurl):
 * SHA-256 for x-amz-content-sha256, MD5 for DeleteObjects' Content-MD5.
 *
 * SPDX-License-Identifier: MIT
 */
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

void ldaws_md5_base64(const void *data, size_t length, char b64[25])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data, length, digest, &size, EVP_md5(), NULL);
    EVP_EncodeBlock((unsigned char *)b64, digest, 16);
}
