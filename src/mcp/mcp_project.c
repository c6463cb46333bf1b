/*
 * mcp_project.c - the project the server serves: its configuration and cache, the indexing
 * thread that runs idx_run in the background (parse workers do the parsing), its progress, the
 * waits of set_project / sync_project / query_behavior "block", and the request thread's own
 * store handle for queries (readers never wait for the indexer: they see committed data).
 *
 * The state machine is described at struct mcp_project (mcp_int.h). The indexing thread is the
 * only one that calls idx_run; the request thread is the only one that touches srv->st.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp_int.h"

/* How long shutdown lets the parse workers finish the files in flight before killing them:
 * short, because clients give a server about two seconds after closing its input. */
#define STOP_GRACE_MS 1000

const char *mcp_state_name(enum mcp_state s)
{
    switch (s) {
    case MCP_STATE_INDEXING:
        return "indexing";
    case MCP_STATE_READY:
        return "ready";
    case MCP_STATE_ERROR:
        return "error";
    default:
        return "none";
    }
}

static void deadline_after(struct timespec *ts, double seconds)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    if (seconds > 1e6)
        seconds = 1e6;
    ts->tv_sec += (time_t)seconds;
    ts->tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static bool passed(const struct timespec *ts)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > ts->tv_sec || (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

/* ---- the indexing thread ---- */

static void on_progress(void *ctx, const struct idx_progress *p)
{
    struct mcp_server *srv = ctx;
    struct mcp_project *pr = &srv->proj;
    pthread_mutex_lock(&srv->mu);
    if (pr->run_gen == pr->gen) {
        snprintf(pr->phase, sizeof(pr->phase), "%s", p->phase ? p->phase : "");
        pr->done = p->done;
        pr->total = p->total;
        pr->failed = p->failed;
        pr->unchanged = p->unchanged;
        pr->elapsed_s = p->elapsed_s;
        if (p->current) {
            free(pr->current);
            pr->current = xstrdup(p->current);
        }
        pthread_cond_broadcast(&srv->cv);
    }
    pthread_mutex_unlock(&srv->mu);
}

static void *index_main(void *arg)
{
    struct mcp_server *srv = arg;
    struct mcp_project *pr = &srv->proj;

    pthread_mutex_lock(&srv->mu);
    for (;;) {
        struct idx_options o;
        struct idx_summary sum;
        struct err e = {0};
        char *root, *config, *cache;
        bool full;
        int rc;

        /* its own condition: the request traffic on srv->cv does not wake this thread */
        while (!srv->stopping && !pr->pending)
            pthread_cond_wait(&srv->index_cv, &srv->mu);
        if (srv->stopping)
            break;
        root = xstrdup(pr->root);
        config = pr->config_path ? xstrdup(pr->config_path) : NULL;
        cache = xstrdup(pr->cache_dir);
        full = pr->pending_full;
        pr->pending = pr->pending_full = false;
        pr->running = true;
        pr->run_gen = pr->gen;
        pr->cancel = 0;
        snprintf(pr->phase, sizeof(pr->phase), "planning");
        pr->done = pr->total = pr->failed = pr->unchanged = 0;
        pr->elapsed_s = 0;
        free(pr->current);
        pr->current = NULL;
        pthread_mutex_unlock(&srv->mu);

        memset(&o, 0, sizeof(o));
        o.root = root;
        o.cache_dir = cache;
        o.config_path = config;
        o.jobs = srv->opt->jobs;
        o.full = full;
        o.progress = on_progress;
        o.progress_ctx = srv;
        o.cancel = &pr->cancel;
        log_info("indexing '%s'%s", root, full ? " (full)" : "");
        rc = idx_run(&o, &sum, &e);

        pthread_mutex_lock(&srv->mu);
        pr->running = false;
        if (pr->run_gen == pr->gen) {
            pr->runs++;
            free(pr->error);
            pr->error = NULL;
            if (rc != 0) {
                pr->error = xstrdup(e.msg);
            } else {
                struct mcp_refresh *l = &pr->last;
                l->full = full;
                l->cancelled = sum.cancelled;
                l->nothing_changed = sum.nothing_changed;
                l->sources = sum.sources;
                l->parsed = sum.parsed;
                l->failed = sum.failed;
                l->with_errors = sum.with_errors;
                l->unchanged = sum.unchanged;
                l->touched = sum.touched;
                l->deleted = sum.deleted;
                l->headers = sum.headers;
                l->added = sum.added;
                l->modified = sum.modified;
                l->args_changed = sum.args_changed;
                l->headers_changed = sum.headers_changed;
                l->symbols = sum.symbols;
                l->refs = sum.refs;
                l->seconds = sum.seconds;
                l->finished_at = time_now();
                pr->have_last = true;
            }
            if (!pr->pending)
                pr->state = rc != 0 ? MCP_STATE_ERROR : MCP_STATE_READY;
            snprintf(pr->phase, sizeof(pr->phase), "%s", rc != 0 ? "error" : "done");
        }
        pthread_cond_broadcast(&srv->cv);
        pthread_mutex_unlock(&srv->mu);
        if (rc != 0)
            log_error("indexing '%s' failed: %s", root, e.msg);
        else
            log_info("indexed '%s': %zu parsed, %zu failed, %zu unchanged in %.1f s%s", root,
                     sum.parsed, sum.failed, sum.unchanged, sum.seconds,
                     sum.cancelled ? " (cancelled)" : "");
        idx_summary_release(&sum);
        free(root);
        free(config);
        free(cache);
        pthread_mutex_lock(&srv->mu);
    }
    pthread_mutex_unlock(&srv->mu);
    return NULL;
}

int mcp_project_start(struct mcp_server *srv, struct err *err)
{
    int rc = pthread_create(&srv->index_thread, NULL, index_main, srv);
    if (rc != 0)
        return err_set(err, ERR_IO, "cannot start the indexing thread: %s", strerror(rc));
    srv->index_started = true;
    return 0;
}

void mcp_project_stop(struct mcp_server *srv)
{
    struct timespec dl;
    bool running;
    if (!srv->index_started)
        return;
    pthread_mutex_lock(&srv->mu);
    srv->stopping = true;
    srv->proj.cancel = 1;
    pthread_cond_broadcast(&srv->cv);
    pthread_cond_signal(&srv->index_cv);
    deadline_after(&dl, STOP_GRACE_MS / 1000.0);
    while (srv->proj.running && !passed(&dl))
        pthread_cond_timedwait(&srv->cv, &srv->mu, &dl);
    running = srv->proj.running;
    pthread_mutex_unlock(&srv->mu);
    if (running) {
        /* a worker still parsing (or hung) would hold the run until its time limit */
        int n = mcp_kill_children(SIGKILL);
        log_info("shutdown: stopped %d parse worker%s still running", n, n == 1 ? "" : "s");
    }
    pthread_join(srv->index_thread, NULL);
    srv->index_started = false;
}

/* ---- setting the project ---- */

int mcp_project_set(struct mcp_server *srv, const char *root, const char *config_path,
                    const char *cache_dir, bool index, struct err *err)
{
    struct mcp_project *pr = &srv->proj;
    struct idx_config cfg;
    struct strbuf warnings = STRBUF_INIT;
    char *cache = NULL;
    int rc;

    rc = idx_config_load(&cfg, root, config_path, &warnings, err);
    if (warnings.len)
        log_warn("%.*s",
                 (int)(warnings.len && warnings.buf[warnings.len - 1] == '\n' ? warnings.len - 1
                                                                              : warnings.len),
                 warnings.buf);
    strbuf_release(&warnings);
    if (rc != 0) {
        idx_config_release(&cfg);
        return rc;
    }
    cache = cache_dir ? xstrdup(cache_dir)
                      : store_default_cache_dir(cfg.project_root, config_path ? cfg.path : NULL);
    {
        /* a legacy JSON cache there is migrated before the indexer or a query opens it */
        struct err me = {0};
        if (store_legacy_auto_migrate(cache, &me) != 0)
            log_warn("%s", me.msg);
    }

    pthread_mutex_lock(&srv->mu);
    if (pr->root && !strcmp(pr->root, cfg.project_root) && !strcmp(pr->cache_dir, cache) &&
        ((!pr->config_path && !cfg.path) ||
         (pr->config_path && cfg.path && !strcmp(pr->config_path, cfg.path))) &&
        pr->indexable == index) {
        /* the same project: keep its state (a refresh is sync_project's job) */
        pr->behavior = cfg.query_behavior;
        pthread_mutex_unlock(&srv->mu);
        free(cache);
        idx_config_release(&cfg);
        return 0;
    }
    pr->gen++;
    if (pr->running)
        pr->cancel = 1;
    free(pr->root);
    free(pr->config_path);
    free(pr->cache_dir);
    pr->root = xstrdup(cfg.project_root);
    pr->config_path = cfg.path ? xstrdup(cfg.path) : NULL;
    pr->cache_dir = cache;
    pr->indexable = index;
    pr->behavior = cfg.query_behavior;
    pr->state = index ? MCP_STATE_INDEXING : MCP_STATE_READY;
    pr->pending = index;
    pr->pending_full = false;
    snprintf(pr->phase, sizeof(pr->phase), "%s", index ? "queued" : "");
    pr->done = pr->total = pr->failed = pr->unchanged = 0;
    pr->elapsed_s = 0;
    free(pr->current);
    pr->current = NULL;
    pr->have_last = false;
    free(pr->error);
    pr->error = NULL;
    pthread_cond_broadcast(&srv->cv);
    pthread_cond_signal(&srv->index_cv);
    pthread_mutex_unlock(&srv->mu);
    log_info("project '%s' (cache '%s')", cfg.project_root, cache);
    idx_config_release(&cfg);
    return 0;
}

bool mcp_project_request(struct mcp_server *srv, bool full)
{
    struct mcp_project *pr = &srv->proj;
    bool ok;
    pthread_mutex_lock(&srv->mu);
    ok = pr->root && pr->indexable;
    if (ok) {
        pr->pending = true;
        pr->pending_full = pr->pending_full || full;
        pr->state = MCP_STATE_INDEXING;
        if (!pr->running)
            snprintf(pr->phase, sizeof(pr->phase), "queued");
        pthread_cond_broadcast(&srv->cv);
        pthread_cond_signal(&srv->index_cv);
    }
    pthread_mutex_unlock(&srv->mu);
    return ok;
}

void mcp_project_view(struct mcp_server *srv, struct mcp_view *v)
{
    struct mcp_project *pr = &srv->proj;
    memset(v, 0, sizeof(*v));
    pthread_mutex_lock(&srv->mu);
    v->gen = pr->gen;
    v->root = pr->root ? xstrdup(pr->root) : NULL;
    v->config_path = pr->config_path ? xstrdup(pr->config_path) : NULL;
    v->cache_dir = pr->cache_dir ? xstrdup(pr->cache_dir) : NULL;
    v->indexable = pr->indexable;
    v->behavior = pr->behavior;
    v->state = pr->state;
    snprintf(v->phase, sizeof(v->phase), "%s", pr->phase);
    v->done = pr->done;
    v->total = pr->total;
    v->failed = pr->failed;
    v->unchanged = pr->unchanged;
    v->current = pr->current ? xstrdup(pr->current) : NULL;
    v->elapsed_s = pr->elapsed_s;
    v->have_last = pr->have_last;
    v->last = pr->last;
    v->error = pr->error ? xstrdup(pr->error) : NULL;
    v->pending = pr->pending;
    pthread_mutex_unlock(&srv->mu);
}

void mcp_view_release(struct mcp_view *v)
{
    if (!v)
        return;
    free(v->root);
    free(v->config_path);
    free(v->cache_dir);
    free(v->current);
    free(v->error);
    memset(v, 0, sizeof(*v));
}

/* ---- waiting ---- */

static json_t *progress_params(const json_t *token, const struct mcp_project *pr, const char *root)
{
    json_t *p = json_object();
    char msg[512];
    json_object_set_new(p, "progressToken", json_deep_copy(token));
    json_object_set_new(p, "progress", json_integer((json_int_t)pr->done));
    if (pr->total)
        json_object_set_new(p, "total", json_integer((json_int_t)pr->total));
    if (pr->current)
        snprintf(msg, sizeof(msg), "%s: %zu of %zu files (%s)", pr->phase, pr->done, pr->total,
                 mcp_path_rel(root, pr->current));
    else
        snprintf(msg, sizeof(msg), "%s: %zu of %zu files", pr->phase, pr->done, pr->total);
    json_object_set_new(p, "message", mcp_json_str(msg));
    return p;
}

enum mcp_wait_end mcp_project_wait(struct mcp_server *srv, struct mcp_req *req, double seconds)
{
    struct mcp_project *pr = &srv->proj;
    struct timespec dl;
    enum mcp_wait_end end;
    long long sent = -1;

    deadline_after(&dl, seconds);
    pthread_mutex_lock(&srv->mu);
    for (;;) {
        if (pr->state != MCP_STATE_INDEXING) {
            end = MCP_WAIT_DONE;
            break;
        }
        if (req && atomic_load(&req->cancelled)) {
            end = MCP_WAIT_CANCELLED;
            break;
        }
        if (srv->eof) {
            end = MCP_WAIT_EOF;
            break;
        }
        if (req && req->progress_token && (long long)pr->done > sent) {
            json_t *params = progress_params(req->progress_token, pr, pr->root);
            sent = (long long)pr->done;
            pthread_mutex_unlock(&srv->mu);
            mcp_out_notify(&srv->out, "notifications/progress", params);
            pthread_mutex_lock(&srv->mu);
            continue;
        }
        if (passed(&dl)) {
            end = MCP_WAIT_TIMEOUT;
            break;
        }
        pthread_cond_timedwait(&srv->cv, &srv->mu, &dl);
    }
    pthread_mutex_unlock(&srv->mu);
    return end;
}

/* ---- the query handle ---- */

struct store *mcp_project_store(struct mcp_server *srv, struct err *err)
{
    char *cache, *root;
    unsigned gen;
    int rc;

    pthread_mutex_lock(&srv->mu);
    gen = srv->proj.gen;
    cache = srv->proj.cache_dir ? xstrdup(srv->proj.cache_dir) : NULL;
    root = srv->proj.root ? xstrdup(srv->proj.root) : NULL;
    pthread_mutex_unlock(&srv->mu);
    if (!cache) {
        free(root);
        err_set(err, ERR_NOTFOUND,
                "no project is set: call set_project with the project's absolute path (or "
                "start the server with --project DIR)");
        return NULL;
    }
    if (srv->st && srv->st_gen == gen && store_health_tripped(srv->st) &&
        !strcmp(store_backend(srv->st), "sqlite")) {
        /* the plan's I/O-error trigger: from now on the answers come from a JSON export */
        struct err e2 = {0};
        if (store_json_switch(&srv->st, &e2) != 0)
            log_warn("%s", e2.msg);
        else if (store_query_set_root(srv->st, root, &e2) != 0)
            log_warn("%s", e2.msg);
    }
    if (srv->st && srv->st_gen == gen && !store_json_stale(srv->st)) {
        free(cache);
        free(root);
        return srv->st;
    }
    store_close(srv->st);
    srv->st = NULL;
    /* the SQLite cache, or the JSON backend (asked for, or a fallback) */
    rc = store_open_cache(&srv->st, cache, 0, err);
    if (rc == ERR_READONLY)
        rc = store_open_cache(&srv->st, cache, STORE_OPEN_READONLY, err);
    free(cache);
    if (rc == 0 && (rc = store_query_set_root(srv->st, root, err)) != 0) {
        store_close(srv->st);
        srv->st = NULL;
    }
    free(root);
    if (rc != 0) {
        srv->st = NULL;
        return NULL;
    }
    srv->st_gen = gen;
    return srv->st;
}

/* ---- JSON of the state ---- */

void mcp_view_add_progress(json_t *o, const struct mcp_view *v)
{
    json_t *p = json_object();
    bool indexing = v->state == MCP_STATE_INDEXING;
    double rate = v->elapsed_s > 0 ? (double)v->done / v->elapsed_s : 0;
    json_object_set_new(o, "state", json_string(mcp_state_name(v->state)));
    json_object_set_new(p, "phase", json_string(v->phase));
    json_object_set_new(p, "total_files", json_integer((json_int_t)v->total));
    json_object_set_new(p, "done_files", json_integer((json_int_t)v->done));
    json_object_set_new(p, "failed_files", json_integer((json_int_t)v->failed));
    json_object_set_new(p, "cache_hits",
                        indexing       ? json_integer((json_int_t)v->unchanged)
                        : v->have_last ? json_integer((json_int_t)v->last.unchanged)
                                       : json_null());
    json_object_set_new(p, "percent",
                        json_real(v->total ? 100.0 * (double)v->done / (double)v->total
                                           : (indexing ? 0.0 : 100.0)));
    json_object_set_new(p, "current_file",
                        indexing && v->current ? mcp_json_str(mcp_path_rel(v->root, v->current))
                                               : json_null());
    json_object_set_new(p, "eta_seconds",
                        indexing && rate > 0 && v->total >= v->done
                            ? json_real((double)(v->total - v->done) / rate)
                            : json_null());
    json_object_set_new(p, "elapsed_seconds", json_real(v->elapsed_s));
    json_object_set_new(o, "progress", p);
    json_object_set_new(o, "error", v->error ? mcp_json_str(v->error) : json_null());
}

json_t *mcp_view_refresh_json(const struct mcp_view *v)
{
    const struct mcp_refresh *l = &v->last;
    json_t *o;
    if (!v->have_last)
        return json_null();
    o = json_object();
    json_object_set_new(o, "mode", json_string(l->full ? "full" : "incremental"));
    json_object_set_new(o, "added", json_integer((json_int_t)l->added));
    json_object_set_new(o, "modified", json_integer((json_int_t)l->modified));
    json_object_set_new(o, "removed", json_integer((json_int_t)l->deleted));
    json_object_set_new(o, "headers_changed", json_integer((json_int_t)l->headers_changed));
    json_object_set_new(o, "args_changed", json_integer((json_int_t)l->args_changed));
    json_object_set_new(o, "reindexed", json_integer((json_int_t)l->parsed));
    json_object_set_new(o, "failed", json_integer((json_int_t)l->failed));
    json_object_set_new(o, "with_errors", json_integer((json_int_t)l->with_errors));
    json_object_set_new(o, "unchanged", json_integer((json_int_t)l->unchanged));
    json_object_set_new(o, "touched", json_integer((json_int_t)l->touched));
    json_object_set_new(o, "sources", json_integer((json_int_t)l->sources));
    json_object_set_new(o, "headers_claimed", json_integer((json_int_t)l->headers));
    json_object_set_new(o, "symbols_written", json_integer(l->symbols));
    json_object_set_new(o, "references_written", json_integer(l->refs));
    json_object_set_new(o, "nothing_changed", json_boolean(l->nothing_changed));
    json_object_set_new(o, "cancelled", json_boolean(l->cancelled));
    json_object_set_new(o, "elapsed_ms", json_real(l->seconds * 1000.0));
    json_object_set_new(o, "finished_at", json_real(l->finished_at));
    return o;
}
