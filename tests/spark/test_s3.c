/*
 * test_s3.c - unmapped s3:// and s3a:// URIs through libletsdata-aws, against the
 * verifying fake S3 + Secrets Manager (tests/aws/fake_aws.py): credentials from the
 * task's secret (mapper.read to read, mapper.write to write), a prefix read as a
 * directory (hidden files skipped), Spark's layout uploaded with _SUCCESS last, modes,
 * and a failed write that leaves no _SUCCESS.
 *
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <letsdata/aws.h>
#include <letsdata/aws_s3.h>

#include "fake.h"
#include "spark_test.h"

static fake_aws fake;
static char secret_arn[256], bad_secret_arn[256];
static ld_aws_client *admin_client;

#define SECRET_JSON(read_key, write_key)                                                    \
    "{\"mapper\": {\"read\": {\"AWS_ACCESS_KEY_ID\": \"" read_key "\", \"AWS_SECRET_ACCESS_KEY\": " \
    "\"" read_key "-secret\", \"AWS_SESSION_TOKEN\": \"" read_key "-token\"}, \"write\": "          \
    "{\"AWS_ACCESS_KEY_ID\": \"" write_key "\", \"AWS_SECRET_ACCESS_KEY\": \"" write_key           \
    "-secret\", \"AWS_SESSION_TOKEN\": \"" write_key "-token\"}}, \"reducer\": {}}"

static void add_secret(const char *name, const char *string, char *arn, size_t size)
{
    json_t *body = json_pack("{s:s, s:s}", "name", name, "string", string);
    char *text = json_dumps(body, 0);
    json_t *answer = NULL;
    assert_int_equal(fake_admin(&fake, "POST", "secret", text, &answer), 200);
    snprintf(arn, size, "%s", json_string_value(json_object_get(answer, "arn")));
    assert_true(strlen(arn) > 10);
    json_decref(answer);
    free(text);
    json_decref(body);
}

static void put(const char *key, const char *body)
{
    ld_aws_error e;
    if (ld_s3_put_object(admin_client, FAKE_BUCKET, key, body, strlen(body), NULL, &e) != LD_OK)
        fail_msg("put %s: %s", key, e.message);
}

static char *get(const char *key)
{
    char *data = NULL;
    size_t length = 0;
    ld_aws_error e;
    if (ld_s3_get_object_to_memory(admin_client, FAKE_BUCKET, key, 1 << 20, &data, &length, &e) != LD_OK)
        return NULL;
    return data;
}

static int collect(void *payload, const ld_s3_object_entry *entry)
{
    char *names = payload;
    strncat(names, entry->key, 4095 - strlen(names));
    strncat(names, "\n", 4095 - strlen(names));
    return 0;
}

/* The keys under prefix, '\n'-separated, in a static buffer. */
static const char *keys_under(const char *prefix)
{
    static char names[4096];
    names[0] = '\0';
    ld_s3_list_options o = LD_S3_LIST_OPTIONS_INIT;
    o.prefix = prefix;
    ld_aws_error e;
    assert_int_equal(ld_s3_list_objects(admin_client, FAKE_BUCKET, &o, collect, names, &e), LD_OK);
    return names;
}

static int setup(void **state)
{
    (void)state;
    const char *extra[] = {"--key", "MR:MR-secret:MR-token", "--key", "MW:MW-secret:MW-token", NULL};
    if (fake_aws_start(&fake, extra) != 0)
        return -1;
    setenv("AWS_ENDPOINT_URL", fake.url, 1);
    setenv("AWS_REGION", FAKE_REGION, 1);
    /* The default chain: what reads the secret (and what the admin client uses). */
    setenv("AWS_ACCESS_KEY_ID", FAKE_KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET, 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("LETSDATA_BUCKET_DIRS");
    add_secret("spark-task", SECRET_JSON("MR", "MW"), secret_arn, sizeof secret_arn);
    add_secret("spark-task-bad", SECRET_JSON("UNKNOWN", "MW"), bad_secret_arn, sizeof bad_secret_arn);
    ld_aws_error e;
    admin_client = ld_aws_client_new(NULL, &e);
    return admin_client ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ld_aws_client_free(admin_client);
    fake_aws_stop(&fake);
    return 0;
}

static ld_spark_session *task_session(const char *arn)
{
    ld_spark_session *s = NULL;
    ld_error e;
    if (ld_spark_session_new_for_task(&s, "app-s3", "mapper", arn, &e) != LD_OK)
        fail_msg("session: %s", e.message);
    return s;
}

static void test_read_and_write_through_s3(void **state)
{
    (void)state;
    put("in/a.txt", "a1\na2\n");
    put("in/b.txt", "b1\n");
    put("in/_SUCCESS", "");
    put("in/.b.txt.crc", "junk\n");
    put("in/deeper/c.txt", "not read\n");
    ld_spark_session *s = task_session(secret_arn);
    ld_spark_frame *in = NULL, *out = NULL;
    ld_error e;
    /* A prefix is a directory: its data files, in order, hidden and deeper ones skipped. */
    if (ld_spark_read_uri(s, "s3a://" FAKE_BUCKET "/in", "text", NULL, &in, &e) != LD_OK)
        fail_msg("read: %s", e.message);
    assert_int_equal(ld_spark_frame_register(in, "lines", &e), LD_OK);
    char *rows = ldt_query(s, "SELECT value FROM lines", &e);
    assert_string_equal(rows, "a1\na2\nb1\n");
    free(rows);
    /* One object. */
    ld_spark_frame *one = NULL;
    assert_int_equal(ld_spark_read_uri(s, "s3://" FAKE_BUCKET "/in/b.txt", "text", NULL, &one, &e), LD_OK);
    uint64_t n = 0;
    assert_int_equal(ld_spark_frame_count(one, &n, &e), LD_OK);
    assert_int_equal(n, 1);
    ld_spark_frame_free(one);

    assert_int_equal(ld_spark_sql(s, "SELECT upper(value) AS v FROM lines", &out, &e), LD_OK);
    json_t *gzip = json_pack("{s:s}", "compression", "gzip");
    if (ld_spark_write(out, "s3a://" FAKE_BUCKET "/out", "json", gzip, "overwrite", &e) != LD_OK)
        fail_msg("write: %s", e.message);
    const char *keys = keys_under("out/");
    /* One part, Spark's name, and _SUCCESS. */
    assert_non_null(strstr(keys, "out/_SUCCESS\n"));
    assert_non_null(strstr(keys, "out/part-00000-"));
    assert_non_null(strstr(keys, "-c000.json.gz\n"));
    assert_null(strstr(keys, "_temporary"));
    /* errorifexists refuses; ignore does nothing; append adds a part. */
    assert_int_equal(ld_spark_write(out, "s3a://" FAKE_BUCKET "/out", "json", gzip, "errorifexists", &e),
                     LD_ERR_INVALID);
    assert_non_null(strstr(e.message, "already exists"));
    assert_int_equal(ld_spark_write(out, "s3a://" FAKE_BUCKET "/out", "json", gzip, "ignore", &e), LD_OK);
    assert_int_equal(ld_spark_write(out, "s3a://" FAKE_BUCKET "/out", "json", NULL, "append", &e), LD_OK);
    keys = keys_under("out/");
    int parts = 0;
    for (const char *p = keys; (p = strstr(p, "part-00000-")) != NULL; p++)
        parts++;
    assert_int_equal(parts, 2);
    /* Read back what was uploaded. */
    ld_spark_frame *back = NULL;
    assert_int_equal(ld_spark_read_uri(s, "s3://" FAKE_BUCKET "/out/", "json", NULL, &back, &e), LD_OK);
    assert_int_equal(ld_spark_frame_count(back, &n, &e), LD_OK);
    assert_int_equal(n, 6);
    ld_spark_frame_free(back);
    /* overwrite replaces everything. */
    assert_int_equal(ld_spark_write(out, "s3a://" FAKE_BUCKET "/out", "json", NULL, "overwrite", &e), LD_OK);
    keys = keys_under("out/");
    parts = 0;
    for (const char *p = keys; (p = strstr(p, "part-00000-")) != NULL; p++)
        parts++;
    assert_int_equal(parts, 1);
    assert_non_null(strstr(keys, ".json\n"));

    /* A failing write: the old _SUCCESS goes first, and none comes back. */
    ld_spark_frame *bad = NULL;
    assert_int_equal(ld_spark_sql(s, "SELECT CAST(v AS INTEGER) AS n FROM (VALUES ('1'), ('x')) t(v)", &bad, &e), LD_OK);
    assert_int_equal(ld_spark_write(bad, "s3a://" FAKE_BUCKET "/out", "json", NULL, "overwrite", &e), LD_ERR_INVALID);
    char *success = get("out/_SUCCESS");
    assert_null(success);
    ld_spark_frame_free(bad);
    json_decref(gzip);
    ld_spark_frame_free(out);
    ld_spark_frame_free(in);
    ld_spark_session_free(s);
}

static void test_credentials_come_from_the_secret(void **state)
{
    (void)state;
    put("cred/x.txt", "x\n");
    /* mapper.read holds a key S3 does not know: the read fails, naming URI and S3's code. */
    ld_spark_session *s = task_session(bad_secret_arn);
    ld_spark_frame *in = NULL;
    ld_error e;
    assert_true(ld_spark_read_uri(s, "s3://" FAKE_BUCKET "/cred/x.txt", "text", NULL, &in, &e) < 0);
    assert_non_null(strstr(e.message, "s3://" FAKE_BUCKET "/cred/x.txt"));
    assert_null(in);
    ld_spark_session_free(s);
    /* A secret that does not exist is named. */
    s = task_session("arn:aws:secretsmanager:" FAKE_REGION ":123456789012:secret:missing-XyZ");
    assert_true(ld_spark_read_uri(s, "s3://" FAKE_BUCKET "/cred/x.txt", "text", NULL, &in, &e) < 0);
    assert_non_null(strstr(e.message, "missing-XyZ"));
    ld_spark_session_free(s);
    /* Mapped buckets never touch S3 or the secret. */
    s = task_session("arn:aws:secretsmanager:" FAKE_REGION ":123456789012:secret:missing-XyZ");
    char *dir = ldt_temp_dir();
    assert_int_equal(ld_spark_session_map_bucket(s, FAKE_BUCKET, dir, &e), LD_OK);
    char *path = NULL;
    assert_true(asprintf(&path, "%s/local.txt", dir) > 0);
    ldt_write_file(path, "l\n", 2);
    fake_log_clear(&fake);
    assert_int_equal(ld_spark_read_uri(s, "s3://" FAKE_BUCKET "/local.txt", "text", NULL, &in, &e), LD_OK);
    json_t *log = fake_log(&fake);
    assert_int_equal(json_array_size(log), 0);
    json_decref(log);
    ld_spark_frame_free(in);
    ld_spark_session_free(s);
    ldt_rm_rf(dir);
    free(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_and_write_through_s3),
        cmocka_unit_test(test_credentials_come_from_the_secret),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
