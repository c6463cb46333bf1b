/*
 * store_qstats.c - per-query-kind statistics: count, total, max and a log-scale histogram
 * (bucket i holds latencies up to 0.5 us * 1.25^i), so p95 needs no samples and statistics of
 * several processes merge by adding. Recording is two clock reads (taken by the caller), a log
 * and four adds. Handles keep their own numbers and add them to the query_stats table when they
 * close (or on store_qstats_flush); store_qstats_get shows both.
 */
#include <math.h>
#include <string.h>

#include "store_int.h"

static const char *const qnames[STORE_Q_COUNT_] = {
    [STORE_Q_SEARCH_EXACT] = "search_exact",
    [STORE_Q_SEARCH_PREFIX] = "search_prefix",
    [STORE_Q_SEARCH_WORDS] = "search_words",
    [STORE_Q_SEARCH_SUBSTRING] = "search_substring",
    [STORE_Q_SEARCH_QUALIFIED] = "search_qualified",
    [STORE_Q_SEARCH_REGEX] = "search_regex",
    [STORE_Q_SEARCH_AUTO] = "search_auto",
    [STORE_Q_LOOKUP_USR] = "lookup_usr",
    [STORE_Q_FILE_REPLACE] = "file_replace",
    [STORE_Q_FILE_DELETE] = "file_delete",
    [STORE_Q_RESOLVE] = "resolve",
    [STORE_Q_SYMBOL_INFO] = "symbol_info",
    [STORE_Q_FILE_OUTLINE] = "file_outline",
    [STORE_Q_HIERARCHY] = "class_hierarchy",
    [STORE_Q_INCOMING_CALLS] = "incoming_calls",
    [STORE_Q_OUTGOING_CALLS] = "outgoing_calls",
    [STORE_Q_CALL_PATH] = "call_path",
    [STORE_Q_REFERENCES] = "references",
    [STORE_Q_SOURCE] = "source",
};

const char *store_query_kind_name(enum store_query_kind k)
{
    return (unsigned)k < STORE_Q_COUNT_ ? qnames[k] : "unknown";
}

static double bucket_upper_ns(int i)
{
    return 500.0 * pow(1.25, i);
}

void store_qstat_record(struct store *st, enum store_query_kind k, uint64_t ns)
{
    struct qstat *q = &st->qstats[k];
    int b = 0;
    if (ns > 500)
        b = (int)ceil(log((double)ns / 500.0) / log(1.25));
    if (b >= QSTAT_BUCKETS)
        b = QSTAT_BUCKETS - 1;
    q->count++;
    q->total_ns += ns;
    if (ns > q->max_ns)
        q->max_ns = ns;
    q->hist[b]++;
}

static void merge(struct qstat *into, const struct qstat *from)
{
    into->count += from->count;
    into->total_ns += from->total_ns;
    if (from->max_ns > into->max_ns)
        into->max_ns = from->max_ns;
    for (int i = 0; i < QSTAT_BUCKETS; i++)
        into->hist[i] += from->hist[i];
}

static int load(struct store *st, enum store_query_kind k, struct qstat *out, struct err *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_QSTAT_GET);
    int rc;
    memset(out, 0, sizeof(*out));
    if (!s)
        return store_db_err(st, err, sqlite3_errcode(st->db), "cannot read query statistics");
    sqlite3_bind_text(s, 1, qnames[k], -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(s, 3);
        int n = sqlite3_column_bytes(s, 3);
        out->count = (uint64_t)sqlite3_column_int64(s, 0);
        out->total_ns = (uint64_t)sqlite3_column_int64(s, 1);
        out->max_ns = (uint64_t)sqlite3_column_int64(s, 2);
        if (blob && n == (int)sizeof(out->hist))
            memcpy(out->hist, blob, sizeof(out->hist));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_err(st, err, rc, "cannot read query statistics");
    return 0;
}

int store_qstats_get(struct store *st, struct store_query_stat *out, struct err *err)
{
    for (int k = 0; k < STORE_Q_COUNT_; k++) {
        struct qstat q;
        uint64_t target, seen = 0;
        int rc = load(st, (enum store_query_kind)k, &q, err);
        if (rc)
            return rc;
        merge(&q, &st->qstats[k]);
        memset(&out[k], 0, sizeof(out[k]));
        out[k].name = qnames[k];
        out[k].count = q.count;
        if (!q.count)
            continue;
        out[k].total_ms = (double)q.total_ns / 1e6;
        out[k].mean_ms = out[k].total_ms / (double)q.count;
        out[k].max_ms = (double)q.max_ns / 1e6;
        target = (q.count * 95 + 99) / 100;
        for (int i = 0; i < QSTAT_BUCKETS; i++) {
            seen += q.hist[i];
            if (seen >= target) {
                double p = bucket_upper_ns(i);
                if (p > (double)q.max_ns)
                    p = (double)q.max_ns;
                out[k].p95_ms = p / 1e6;
                break;
            }
        }
    }
    return 0;
}

int store_qstats_flush(struct store *st, struct err *err)
{
    unsigned saved = st->busy_limit_ms;
    bool any = false;
    int rc;

    for (int k = 0; k < STORE_Q_COUNT_; k++)
        any |= st->qstats[k].count > 0;
    if (!any || st->readonly || st->bulk_txn_open)
        return 0;
    /* Statistics are not worth waiting for: one try, and when another process is writing
       (an indexer), keep them for a later flush rather than delay a query's exit. */
    st->busy_limit_ms = 0;
    rc = store_txn_begin(st, err);
    for (int k = 0; !rc && k < STORE_Q_COUNT_; k++) {
        struct qstat q;
        sqlite3_stmt *s;
        if (!st->qstats[k].count)
            continue;
        rc = load(st, (enum store_query_kind)k, &q, err);
        if (rc)
            break;
        merge(&q, &st->qstats[k]);
        s = store_stmt(st, STMT_QSTAT_MERGE);
        if (!s) {
            rc = store_db_err(st, err, sqlite3_errcode(st->db), "cannot save query statistics");
            break;
        }
        sqlite3_bind_text(s, 1, qnames[k], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, (int64_t)q.count);
        sqlite3_bind_int64(s, 3, (int64_t)q.total_ns);
        sqlite3_bind_int64(s, 4, (int64_t)q.max_ns);
        sqlite3_bind_blob(s, 5, q.hist, sizeof(q.hist), SQLITE_TRANSIENT);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        rc = rc == SQLITE_DONE ? 0 : store_db_err(st, err, rc, "cannot save query statistics");
    }
    if (!rc)
        rc = store_txn_commit(st, err);
    else
        store_txn_rollback(st);
    st->busy_limit_ms = saved;
    if (!rc)
        memset(st->qstats, 0, sizeof(st->qstats));
    return rc;
}

int store_qstats_reset(struct store *st, struct err *err)
{
    memset(st->qstats, 0, sizeof(st->qstats));
    if (st->readonly)
        return err_set(err, ERR_READONLY, "cache '%s' was opened read-only", st->path);
    return store_exec(st, "DELETE FROM query_stats", err, "cannot reset query statistics");
}
