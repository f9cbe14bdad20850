/*
 * xml.c - S3's XML answers, read with expat: each element's path and text go to a
 * callback, so a reader of ListObjectsV2 is a few string compares.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <expat.h>

#include "aws_internal.h"

typedef struct xml_state {
    XML_Parser parser;
    ldaws_buf path;
    size_t depth_lengths[32];
    int depth;
    ldaws_buf text;
    ldaws_xml_fn each;
    void *payload;
    int stopped;
} xml_state;

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
    (void)attributes;
    xml_state *s = data;
    const char *local = strrchr(name, '|'); /* namespace separator */
    local = local != NULL ? local + 1 : name;
    if (s->depth < 32)
        s->depth_lengths[s->depth] = s->path.length;
    s->depth++;
    if (s->path.length > 0)
        ldaws_buf_append(&s->path, "/", 1);
    ldaws_buf_append(&s->path, local, strlen(local));
    s->text.length = 0;
    if (s->text.data != NULL)
        s->text.data[0] = '\0';
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    (void)name;
    xml_state *s = data;
    if (!s->stopped && !s->path.failed && !s->text.failed &&
        s->each(s->payload, s->path.data, s->text.data != NULL ? s->text.data : "",
                s->text.length) != 0) {
        s->stopped = 1;
        XML_StopParser(s->parser, XML_FALSE);
    }
    s->depth--;
    if (s->depth >= 0 && s->depth < 32 && s->path.data != NULL) {
        s->path.length = s->depth_lengths[s->depth];
        s->path.data[s->path.length] = '\0';
    }
    s->text.length = 0;
    if (s->text.data != NULL)
        s->text.data[0] = '\0';
}

static void XMLCALL on_text(void *data, const XML_Char *text, int length)
{
    xml_state *s = data;
    ldaws_buf_append(&s->text, text, (size_t)length);
}

int ldaws_xml_parse(const char *xml, size_t length, ldaws_xml_fn each, void *payload,
                    ld_aws_error *error)
{
    xml_state s = {0};
    s.each = each;
    s.payload = payload;
    s.parser = XML_ParserCreateNS(NULL, '|');
    if (s.parser == NULL)
        return ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    XML_SetUserData(s.parser, &s);
    XML_SetElementHandler(s.parser, on_start, on_end);
    XML_SetCharacterDataHandler(s.parser, on_text);
    enum XML_Status status = XML_Parse(s.parser, xml, (int)length, XML_TRUE);
    int rc = LD_OK;
    if (s.path.failed || s.text.failed)
        rc = ldaws_error_set(error, LD_ERR_NOMEM, "out of memory");
    else if (s.stopped)
        rc = ldaws_error_set(error, LD_ERR_INVALID, "the answer's XML has an unexpected value");
    else if (status != XML_STATUS_OK)
        rc = ldaws_error_set(error, LD_ERR_INVALID, "the answer is not valid XML: %s at line %lu",
                             XML_ErrorString(XML_GetErrorCode(s.parser)),
                             (unsigned long)XML_GetCurrentLineNumber(s.parser));
    XML_ParserFree(s.parser);
    ldaws_buf_free(&s.path);
    ldaws_buf_free(&s.text);
    return rc;
}
