/*
 * bench_mcp.c - the MCP server benchmark (issue 4 §5): a client that starts `cidx serve` over
 * stdio on a real project's index and measures what an agent sees.
 *
 *   bench_mcp [--project DIR] [--cache-dir DIR] [--cidx PATH] [--requests N] [--warmup N]
 *             [--spawns N] [--serve project|cache] [--jobs N] [--reindex] [--seed S]
 *             [--only KIND,...] [--out FILE]
 *
 * Defaults: the googletest dataset of bench/real/setup.sh ($CIDX_BENCH_DIR, else
 * ~/.cache/cidx-bench), the cache $TMPDIR/cidx-bench-mcp-googletest, the cidx next to this
 * program, 10,000 requests after 500 warm-up ones, 25 spawns each way, 2 index jobs, seed 1.
 * --serve cache starts the measured server with --cache-dir alone (no background refresh);
 * --only keeps some request kinds of the mix (for profiling one tool).
 *
 * What it does, in order:
 *   1. makes sure the cache exists: when DIR/symbols.db is missing (or with --reindex) it runs
 *      `cidx index PROJECT --cache-dir DIR --jobs N` first;
 *   2. opens the cache read-only in process and draws targets from it with a fixed seed: a
 *      find_symbols listing of every project symbol (names for exact, prefix, words and regex
 *      searches; symbols for get_symbol_info, find_references, get_source), functions with 1 to
 *      50 callers (each checked with the in-process query), functions with callees, classes
 *      with bases or derived classes, caller -> callee -> callee pairs for trace_call_path, and
 *      the indexed files;
 *   3. builds --requests tool calls in a fixed mix (the table `kinds` below), shuffled;
 *   4. spawns `cidx serve` (posix_spawn, pipes), initializes, waits with sync_project until the
 *      background refresh is done, then sends the calls one at a time (newline-delimited
 *      JSON-RPC, one request in flight), timing each round trip in the client: from before the
 *      write to the last byte of the answer line; the answer is decoded and checked afterwards;
 *   5. runs the same calls in process (store_search and store_query_* on a read-only handle, the
 *      functions the tools call) as the baseline, interleaved with the server in blocks of
 *      BLOCK requests so that the host's noise falls on both alike;
 *   6. sends NPINGS pings (answered by the server's reader thread: the transport alone), reads
 *      the server's VmHWM and VmRSS from /proc/PID/status, checks with sync_project that no
 *      refresh ran during the measurement, and closes the server's input;
 *   7. measures the time from posix_spawn to the initialize answer --spawns times for each way
 *      of starting the server (with --project, and with --cache-dir alone), alternating.
 *
 * The report (Markdown) goes to stdout and to --out; progress to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util/util.h"

extern char **environ;

/* Requests per in-process / server block (step 5). */
#define BLOCK 250
/* Pings after the mix: the transport's round trip alone. */
#define NPINGS 500
/* Distinct targets kept per kind at most. */
#define MAX_POOL 2000
/* Checked candidates per filtered kind at most (callers, callees, hierarchy, paths). */
#define MAX_TRIES 6000
/* A line from the server longer than this is a bug of the server or of this client. */
#define MAX_LINE ((size_t)64 << 20)

/* ---- small helpers --------------------------------------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    /* splitmix64: deterministic and good enough for picking targets */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static _Noreturn void die(const char *fmt, ...) PRINTF_LIKE(1, 2);
static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "bench_mcp: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted values (p in 0..100). */
static uint64_t pct(const uint64_t *sorted, size_t n, unsigned p)
{
    size_t i;
    if (!n)
        return 0;
    i = (n * p) / 100;
    return sorted[i < n ? i : n - 1];
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static double mean_ms(const uint64_t *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    return n ? sum / (double)n / 1e6 : 0;
}

struct strs {
    char **v;
    size_t n, alloc;
};

static void strs_add(struct strs *s, char *owned)
{
    ALLOC_GROW(s->v, s->n + 1, s->alloc);
    s->v[s->n++] = owned;
}

static void strs_shuffle(struct strs *s, struct rng *r)
{
    for (size_t i = s->n; i > 1; i--) {
        size_t j = (size_t)(rng_next(r) % i);
        char *x = s->v[i - 1];
        s->v[i - 1] = s->v[j];
        s->v[j] = x;
    }
}

static void strs_release(struct strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* "VmHWM:" of /proc/PID/status in kB; -1 when unreadable. */
static long status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    long v = -1;
    FILE *f;
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, strlen(key))) {
            v = strtol(line + strlen(key), NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* User + system CPU time of a process in ms (/proc/PID/stat); -1 when unreadable. */
static double proc_cpu_ms(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut = 0, stt = 0;
    FILE *f;
    size_t n;
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* after "pid (comm) ": state is field 3, utime 14, stime 15 */
    if (!(p = strrchr(buf, ')')) ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt) != 2)
        return -1;
    return (double)(ut + stt) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static void loadavg(char out[64])
{
    char buf[128] = "";
    FILE *f = fopen("/proc/loadavg", "r");
    snprintf(out, 64, "?");
    if (!f)
        return;
    if (fgets(buf, sizeof(buf), f)) {
        /* the first three fields */
        char *p = buf;
        for (int k = 0; k < 3 && p; k++)
            p = strchr(p + 1, ' ');
        if (p)
            *p = '\0';
        snprintf(out, 64, "%.63s", buf);
    }
    fclose(f);
}

/* ---- the server process ---------------------------------------------------------------------- */

struct server {
    pid_t pid;
    int to;   /* the server's stdin */
    int from; /* the server's stdout */
    char *buf;
    size_t len, cap, start;
    uint64_t next_id;
};

static void server_spawn(struct server *s, char *const argv[])
{
    int in[2], out[2], rc;
    posix_spawn_file_actions_t fa;

    memset(s, 0, sizeof(*s));
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        die("cannot create a pipe: %s", strerror(errno));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    rc = posix_spawn(&s->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        die("cannot start '%s': %s", argv[0], strerror(rc));
    close(in[0]);
    close(out[1]);
    s->to = in[1];
    s->from = out[0];
    s->next_id = 1;
}

static void server_write(struct server *s, const char *data, size_t len)
{
    while (len) {
        ssize_t w = write(s->to, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            die("cannot write to the server: %s", strerror(errno));
        data += w;
        len -= (size_t)w;
    }
}

/* Reads one line (without its newline) into *line / *len, borrowed until the next call. */
static void server_read_line(struct server *s, const char **line, size_t *len)
{
    size_t scan;
    if (s->start > 0 && s->start == s->len)
        s->start = s->len = 0;
    scan = s->start;
    for (;;) {
        char *nl = s->len > scan ? memchr(s->buf + scan, '\n', s->len - scan) : NULL;
        ssize_t r;
        if (nl) {
            *line = s->buf + s->start;
            *len = (size_t)(nl - (s->buf + s->start));
            s->start = (size_t)(nl - s->buf) + 1;
            return;
        }
        scan = s->len;
        if (s->start > 0) {
            memmove(s->buf, s->buf + s->start, s->len - s->start);
            s->len -= s->start;
            scan -= s->start;
            s->start = 0;
        }
        if (s->cap - s->len < 65536) {
            if (s->cap > MAX_LINE)
                die("the server sent a line longer than %zu bytes", MAX_LINE);
            s->cap = s->cap ? s->cap * 2 : 1 << 20;
            s->buf = xrealloc(s->buf, s->cap);
        }
        r = read(s->from, s->buf + s->len, s->cap - s->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            die("the server closed its output (%s)", r < 0 ? strerror(errno) : "end of file");
        s->len += (size_t)r;
    }
}

/* Closes the server's input and waits for it to exit (SIGKILL after 10 s). */
static int server_close(struct server *s)
{
    int status = 0;
    uint64_t t0 = time_mono_ns();
    close(s->to);
    for (;;) {
        pid_t w = waitpid(s->pid, &status, WNOHANG);
        if (w == s->pid)
            break;
        if (w < 0 && errno != EINTR)
            break;
        if (time_mono_ns() - t0 > 10ull * 1000000000ull) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            break;
        }
        time_sleep_ms(1);
    }
    close(s->from);
    free(s->buf);
    s->buf = NULL;
    return status;
}

/* Whether line is the answer to request id: the server writes "id" right after "jsonrpc"; any
 * other shape is decoded to be sure. */
static bool is_answer(const char *line, size_t len, uint64_t id)
{
    char idtxt[32];
    int k = snprintf(idtxt, sizeof(idtxt), "\"id\":%llu,", (unsigned long long)id);
    json_t *msg, *v;
    bool yes;
    if (memmem(line, len < 48 ? len : 48, idtxt, (size_t)k))
        return true;
    if (!(msg = json_loadb(line, len, 0, NULL)))
        return false;
    v = json_object_get(msg, "id");
    yes = json_is_integer(v) && (uint64_t)json_integer_value(v) == id &&
          (json_object_get(msg, "result") || json_object_get(msg, "error"));
    json_decref(msg);
    return yes;
}

/*
 * Sends one request (method, params as compact JSON text) and reads lines until its answer.
 * Returns the round trip in ns; *answer (optional) gets the decoded answer.
 */
static uint64_t server_call(struct server *s, const char *method, const char *params,
                            json_t **answer, size_t *bytes)
{
    struct strbuf req = STRBUF_INIT;
    uint64_t id = s->next_id++, t0, t;
    const char *line;
    size_t len;
    json_error_t je;
    json_t *msg;

    strbuf_addf(&req, "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"%s\",\"params\":%s}\n",
                (unsigned long long)id, method, params);
    t0 = time_mono_ns();
    server_write(s, req.buf, req.len);
    for (;;) {
        server_read_line(s, &line, &len);
        t = time_mono_ns() - t0;
        if (is_answer(line, len, id))
            break;
        /* a notification or a stray line: not the answer (none are expected) */
    }
    strbuf_release(&req);
    if (bytes)
        *bytes = len;
    if (answer) {
        msg = json_loadb(line, len, 0, &je);
        if (!msg)
            die("the server's answer is not JSON: %s", je.text);
        *answer = msg;
    }
    return t;
}

static const char INIT_PARAMS[] = "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                                  "\"clientInfo\":{\"name\":\"bench_mcp\",\"version\":\"1\"}}";

/* initialize, then notifications/initialized. */
static void server_initialize(struct server *s)
{
    static const char inited[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
    json_t *a = NULL;
    server_call(s, "initialize", INIT_PARAMS, &a, NULL);
    if (!json_object_get(a, "result"))
        die("initialize failed");
    json_decref(a);
    server_write(s, inited, sizeof(inited) - 1);
}

/* tools/call NAME ARGS -> the result object (owned), dies on a JSON-RPC error. */
static json_t *server_tool(struct server *s, const char *name, const char *args)
{
    char *params = xasprintf("{\"name\":\"%s\",\"arguments\":%s}", name, args);
    json_t *a = NULL, *r;
    server_call(s, "tools/call", params, &a, NULL);
    free(params);
    r = json_object_get(a, "result");
    if (!r)
        die("%s failed: %s", name, json_dumps(a, JSON_COMPACT));
    json_incref(r);
    json_decref(a);
    return r;
}

/* ---- the request mix ------------------------------------------------------------------------ */

enum rk {
    R_FIND_EXACT,
    R_FIND_PREFIX,
    R_FIND_WORDS,
    R_FIND_REGEX,
    R_INFO,
    R_CALLERS,
    R_CALLEES,
    R_HIER,
    R_REFS,
    R_OUTLINE,
    R_SOURCE,
    R_PATH,
    R_COUNT
};

static const struct kind {
    const char *key; /* for --only */
    const char *label;
    const char *tool;
    unsigned permille;    /* share of the requests */
    double target_p50_ms; /* 0: no target */
} kinds[R_COUNT] = {
    [R_FIND_EXACT] = {"exact", "find_symbols (exact)", "find_symbols", 150, 0.5},
    [R_FIND_PREFIX] = {"prefix", "find_symbols (prefix)", "find_symbols", 80, 0},
    [R_FIND_WORDS] = {"words", "find_symbols (words)", "find_symbols", 80, 0},
    [R_FIND_REGEX] = {"regex", "find_symbols (regex)", "find_symbols", 30, 0},
    [R_INFO] = {"info", "get_symbol_info", "get_symbol_info", 180, 0.5},
    [R_CALLERS] = {"callers", "find_incoming_calls (1-50 callers)", "find_incoming_calls", 100,
                   2.0},
    [R_CALLEES] = {"callees", "find_outgoing_calls", "find_outgoing_calls", 70, 0},
    [R_HIER] = {"hierarchy", "get_class_hierarchy", "get_class_hierarchy", 50, 0},
    [R_REFS] = {"refs", "find_references", "find_references", 80, 0},
    [R_OUTLINE] = {"outline", "get_file_outline", "get_file_outline", 60, 0},
    [R_SOURCE] = {"source", "get_source", "get_source", 80, 0},
    [R_PATH] = {"path", "trace_call_path (2 calls apart)", "trace_call_path", 40, 0},
};

/* Whether kind k is in the comma-separated list only (NULL: every kind). */
static bool kind_wanted(const char *only, int k)
{
    size_t n = strlen(kinds[k].key);
    for (const char *p = only; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, kinds[k].key, n))
            return true;
        p = end ? end + 1 : NULL;
    }
    return !only;
}

struct req {
    enum rk k;
    const char *a, *b; /* borrowed from the pools: usr, name, pattern, path */
    bool by_name;      /* get_symbol_info: a is a qualified name, else a usr */
    size_t idx;        /* the target's index in its pool */
    char *args;        /* the tool's arguments, compact JSON */
};

struct pools {
    struct strs p[R_COUNT];
    struct strs info_names; /* qualified names for get_symbol_info by name */
    struct strs path_to;    /* R_PATH: p[R_PATH] holds from, this the to of each pair */
    size_t callers_tried, callers_over50, callers_none;
    struct strs files_abs; /* outline: absolute paths, parallel to p[R_OUTLINE] (relative) */
};

struct sym {
    char *usr, *name, *qname;
    enum store_kind kind;
    bool has_def;
};

static bool is_ident(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static bool is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/*
 * Splits an identifier into lowercase sub-words ("GetHTTPServer" -> get http server,
 * "push_back" -> push back); returns the count (at most max), each at most 31 bytes.
 */
static size_t split_words(const char *s, char words[][32], size_t max)
{
    size_t n = 0, w = 0;
    for (size_t i = 0; s[i] && n < max; i++) {
        int c = (unsigned char)s[i];
        bool boundary = false;
        if (c == '_') {
            if (w) {
                words[n++][w] = '\0';
                w = 0;
            }
            continue;
        }
        /* a capital after a small letter or digit (getName), or the last capital of a run
         * that a small letter follows (HTTPServer) */
        if (i > 0 && is_upper(c) &&
            (is_lower((unsigned char)s[i - 1]) || is_digit((unsigned char)s[i - 1]) ||
             (is_upper((unsigned char)s[i - 1]) && is_lower((unsigned char)s[i + 1]))))
            boundary = true;
        if (boundary && w) {
            words[n++][w] = '\0';
            w = 0;
            if (n >= max)
                break;
        }
        if (w < 31)
            words[n][w++] = (char)ascii_lower(c);
    }
    if (w && n < max)
        words[n++][w] = '\0';
    return n;
}

static char *json_text(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    if (!s)
        die("cannot encode JSON");
    return s;
}

/* The usr of item[key].usr (a symref), or NULL. */
static const char *symref_usr(const json_t *item, const char *key)
{
    const json_t *s = json_object_get(item, key);
    return json_string_value(json_object_get(s, "usr"));
}

static int file_cb(void *ctx, const struct store_file_info *fi)
{
    struct strs *files = ctx;
    if (fi->is_project)
        strs_add(files, xstrdup(fi->path));
    return 0;
}

/* ---- target selection ------------------------------------------------------------------------ */

static void select_targets(struct store *st, const char *root, struct pools *P, struct rng *r)
{
    struct store_search_query q;
    struct store_search_result res;
    struct sym *syms = NULL;
    size_t nsyms = 0, alloc = 0, *order = NULL;
    struct strmap seen = STRMAP_INIT;
    struct strs names = {0}, files = {0};
    struct err e = {0};
    uint64_t offset = 0;
    size_t i, rootlen = strlen(root);

    /* 1. the listing: every project symbol, page by page (what find_symbols "" returns) */
    memset(&q, 0, sizeof(q));
    q.pattern = "";
    q.limit = 1000;
    for (;;) {
        q.offset = offset;
        if (store_search(st, &q, &res, &e) != 0)
            die("listing the symbols: %s", e.msg);
        for (i = 0; i < res.n; i++) {
            const struct store_symbol_row *row = &res.rows[i];
            ALLOC_GROW(syms, nsyms + 1, alloc);
            syms[nsyms].usr = xstrdup(row->usr);
            syms[nsyms].name = xstrdup(row->name);
            syms[nsyms].qname = xstrdup(row->qualified_name ? row->qualified_name : row->name);
            syms[nsyms].kind = row->kind;
            syms[nsyms].has_def = row->definition.file != NULL;
            nsyms++;
        }
        offset = res.next_offset;
        if (!res.truncated || !res.n) {
            store_search_result_release(&res);
            break;
        }
        store_search_result_release(&res);
    }
    if (!nsyms)
        die("the cache lists no project symbol");
    fprintf(stderr, "bench_mcp: %zu project symbols listed\n", nsyms);
    order = xmalloc(nsyms * sizeof(*order));
    for (i = 0; i < nsyms; i++)
        order[i] = i;
    for (i = nsyms; i > 1; i--) {
        size_t j = (size_t)(rng_next(r) % i), x = order[i - 1];
        order[i - 1] = order[j];
        order[j] = x;
    }

    /* 2. names for the searches: distinct identifiers of 3 characters or more */
    for (i = 0; i < nsyms; i++) {
        const struct sym *s = &syms[order[i]];
        if (strlen(s->name) >= 3 && is_ident(s->name) && !strmap_has(&seen, s->name)) {
            strmap_put(&seen, s->name, NULL);
            strs_add(&names, xstrdup(s->name));
        }
    }
    strmap_clear(&seen);
    for (i = 0; i < names.n && P->p[R_FIND_EXACT].n < MAX_POOL; i++) {
        const char *nm = names.v[i];
        size_t len = strlen(nm), plen = 3 + (size_t)(rng_next(r) % 6);
        char words[8][32];
        size_t nw = split_words(nm, words, 8);
        strs_add(&P->p[R_FIND_EXACT], xstrdup(nm));
        strs_add(&P->p[R_FIND_PREFIX], xstrndup(nm, plen < len ? plen : len));
        if (nw >= 2) {
            size_t k = (size_t)(rng_next(r) % (nw - 1));
            if (strlen(words[k]) >= 2 && strlen(words[k + 1]) >= 2)
                strs_add(&P->p[R_FIND_WORDS], xasprintf("%s %s", words[k], words[k + 1]));
        }
        if (i % 2 == 0 && len >= 6)
            strs_add(&P->p[R_FIND_REGEX], xasprintf("^%.3s.*%s$", nm, nm + len - 3));
        else if (i + 1 < names.n)
            strs_add(&P->p[R_FIND_REGEX], xasprintf("^(%s|%s)$", nm, names.v[i + 1]));
    }

    /* 3. symbols for get_symbol_info (by usr and by qualified name), references and source */
    for (i = 0; i < nsyms && P->p[R_INFO].n < MAX_POOL; i++) {
        const struct sym *s = &syms[order[i]];
        strs_add(&P->p[R_INFO], xstrdup(s->usr));
        strs_add(&P->info_names, xstrdup(s->qname));
    }
    for (i = 0; i < nsyms && P->p[R_REFS].n < MAX_POOL; i++)
        strs_add(&P->p[R_REFS], xstrdup(syms[order[(i + nsyms / 2) % nsyms]].usr));
    for (i = 0; i < nsyms && P->p[R_SOURCE].n < MAX_POOL; i++) {
        const struct sym *s = &syms[order[(i + nsyms / 3) % nsyms]];
        if (s->has_def && (STORE_KIND_BIT(s->kind) & (STORE_KINDS_FUNCTIONS | STORE_KINDS_TYPES)))
            strs_add(&P->p[R_SOURCE], xstrdup(s->usr));
    }

    /* 4. functions with 1..50 callers; functions with callees, and 2-call paths from them */
    for (i = 0; i < nsyms && P->callers_tried < MAX_TRIES && P->p[R_CALLERS].n < 500; i++) {
        const struct sym *s = &syms[order[i]];
        struct store_calls_args a = {.target = {.usr = s->usr}};
        json_t *out = NULL;
        json_int_t total;
        if (!(STORE_KIND_BIT(s->kind) & STORE_KINDS_FUNCTIONS))
            continue;
        P->callers_tried++;
        if (store_query_incoming_calls(st, &a, &out, &e) != 0)
            die("incoming calls of '%s': %s", s->usr, e.msg);
        total = json_integer_value(json_object_get(out, "total"));
        if (total == 0)
            P->callers_none++;
        else if (total > 50)
            P->callers_over50++;
        else
            strs_add(&P->p[R_CALLERS], xstrdup(s->usr));
        json_decref(out);
    }
    {
        size_t tries = 0;
        for (i = 0; i < nsyms && tries < MAX_TRIES && P->p[R_CALLEES].n < 500; i++) {
            const struct sym *s = &syms[order[(i + nsyms / 4) % nsyms]];
            struct store_calls_args a = {.target = {.usr = s->usr}};
            json_t *out = NULL, *callees;
            if (!(STORE_KIND_BIT(s->kind) & STORE_KINDS_FUNCTIONS))
                continue;
            tries++;
            if (store_query_outgoing_calls(st, &a, &out, &e) != 0)
                die("outgoing calls of '%s': %s", s->usr, e.msg);
            callees = json_object_get(out, "callees");
            if (json_array_size(callees) > 0) {
                strs_add(&P->p[R_CALLEES], xstrdup(s->usr));
                /* a path: s -> b -> c, c neither s nor b */
                if (P->p[R_PATH].n < 300) {
                    size_t nb = json_array_size(callees);
                    const char *b = symref_usr(json_array_get(callees, rng_next(r) % nb), "symbol");
                    struct store_calls_args a2 = {.target = {.usr = b}};
                    json_t *out2 = NULL, *c2;
                    if (b && store_query_outgoing_calls(st, &a2, &out2, &e) == 0 &&
                        json_array_size(c2 = json_object_get(out2, "callees")) > 0) {
                        size_t nc = json_array_size(c2);
                        const char *c = symref_usr(json_array_get(c2, rng_next(r) % nc), "symbol");
                        if (c && strcmp(c, s->usr) && strcmp(c, b)) {
                            struct store_path_args pa = {.from = {.usr = s->usr}, .to = {.usr = c}};
                            json_t *po = NULL;
                            if (store_query_call_path(st, &pa, &po, &e) == 0 &&
                                json_array_size(json_object_get(po, "paths")) > 0) {
                                strs_add(&P->p[R_PATH], xstrdup(s->usr));
                                strs_add(&P->path_to, xstrdup(c));
                            }
                            json_decref(po);
                        }
                    }
                    json_decref(out2);
                }
            }
            json_decref(out);
        }
    }

    /* 5. classes in a hierarchy (a base or a derived class) */
    {
        size_t tries = 0;
        for (i = 0; i < nsyms && tries < MAX_TRIES && P->p[R_HIER].n < 500; i++) {
            const struct sym *s = &syms[order[(i + nsyms / 5) % nsyms]];
            struct store_hierarchy_args a = {.target = {.usr = s->usr}};
            json_t *out = NULL;
            if (s->kind != STORE_KIND_CLASS && s->kind != STORE_KIND_STRUCT)
                continue;
            tries++;
            if (store_query_class_hierarchy(st, &a, &out, &e) != 0)
                die("hierarchy of '%s': %s", s->usr, e.msg);
            if (json_object_size(json_object_get(out, "nodes")) >= 2)
                strs_add(&P->p[R_HIER], xstrdup(s->usr));
            json_decref(out);
        }
    }

    /* 6. files: the indexed project files, relative to the root as results give them */
    if (store_file_each(st, file_cb, &files, &e) != 0)
        die("listing the files: %s", e.msg);
    strs_shuffle(&files, r);
    for (i = 0; i < files.n; i++) {
        const char *f = files.v[i];
        if (!strncmp(f, root, rootlen) && f[rootlen] == '/') {
            strs_add(&P->p[R_OUTLINE], xstrdup(f + rootlen + 1));
            strs_add(&P->files_abs, xstrdup(f));
        }
    }

    for (i = 0; i < nsyms; i++) {
        free(syms[i].usr);
        free(syms[i].name);
        free(syms[i].qname);
    }
    free(syms);
    free(order);
    strs_release(&names);
    strs_release(&files);
}

/* The tool arguments of request q. */
static char *req_args(const struct req *q)
{
    switch (q->k) {
    case R_FIND_EXACT:
        return json_text(json_pack("{s:s,s:s}", "pattern", q->a, "match", "exact"));
    case R_FIND_PREFIX:
        return json_text(json_pack("{s:s,s:s}", "pattern", q->a, "match", "prefix"));
    case R_FIND_WORDS:
        return json_text(json_pack("{s:s,s:s}", "pattern", q->a, "match", "words"));
    case R_FIND_REGEX:
        return json_text(json_pack("{s:s,s:s}", "pattern", q->a, "match", "regex"));
    case R_INFO:
        return json_text(json_pack("{s:s}", q->by_name ? "name" : "usr", q->a));
    case R_OUTLINE:
        return json_text(json_pack("{s:s}", "file", q->a));
    case R_PATH:
        return json_text(json_pack("{s:s,s:s}", "from", q->a, "to", q->b));
    default:
        return json_text(json_pack("{s:s}", "usr", q->a));
    }
}

/* Builds n requests in the mix of `kinds`, shuffled. */
static struct req *build_requests(const struct pools *P, size_t n, const char *only, struct rng *r,
                                  size_t *count)
{
    struct req *v = xcalloc(n, sizeof(*v));
    size_t cursor[R_COUNT] = {0}, m = 0, name_cursor = 0;
    unsigned sum = 0;
    for (int k = 0; k < R_COUNT; k++)
        sum += kind_wanted(only, k) ? kinds[k].permille : 0;
    if (!sum)
        die("--only names no request kind");
    for (int k = 0; k < R_COUNT; k++) {
        size_t want =
            kind_wanted(only, k) ? (size_t)((double)n * kinds[k].permille / sum + 0.5) : 0;
        const struct strs *pool = &P->p[k];
        if (want && !pool->n) {
            fprintf(stderr, "bench_mcp: no targets for %s: left out\n", kinds[k].label);
            continue;
        }
        for (size_t i = 0; i < want && m < n; i++) {
            struct req *q = &v[m++];
            size_t c = cursor[k]++ % pool->n;
            q->k = (enum rk)k;
            q->a = pool->v[c];
            q->idx = c;
            if (k == R_PATH)
                q->b = P->path_to.v[c];
            if (k == R_INFO && (i % 2) == 1) {
                /* every other one by qualified name, as an agent types it */
                q->by_name = true;
                q->a = P->info_names.v[name_cursor++ % P->info_names.n];
            }
        }
    }
    for (size_t i = m; i > 1; i--) {
        size_t j = (size_t)(rng_next(r) % i);
        struct req x = v[i - 1];
        v[i - 1] = v[j];
        v[j] = x;
    }
    for (size_t i = 0; i < m; i++)
        v[i].args = req_args(&v[i]);
    *count = m;
    return v;
}

/* ---- the in-process baseline ---------------------------------------------------------------- */

/* The same query through the store API, as the tool calls it; returns ns. */
static uint64_t run_inproc(struct store *st, const struct req *q, const struct pools *P)
{
    struct err e = {0};
    json_t *out = NULL;
    uint64_t t0 = time_mono_ns();
    int rc = 0;

    switch (q->k) {
    case R_FIND_EXACT:
    case R_FIND_PREFIX:
    case R_FIND_WORDS:
    case R_FIND_REGEX: {
        static const enum store_match m[] = {STORE_MATCH_EXACT, STORE_MATCH_PREFIX,
                                             STORE_MATCH_WORDS, STORE_MATCH_REGEX};
        struct store_search_query sq;
        struct store_search_result res;
        memset(&sq, 0, sizeof(sq));
        sq.pattern = q->a;
        sq.match = m[q->k - R_FIND_EXACT];
        sq.limit = 50;
        rc = store_search(st, &sq, &res, &e);
        if (rc == 0)
            store_search_result_release(&res);
        break;
    }
    case R_INFO: {
        struct store_target t = {0};
        if (q->by_name)
            t.name = q->a;
        else
            t.usr = q->a;
        rc = store_query_symbol_info(st, &t, &out, &e);
        break;
    }
    case R_CALLERS: {
        struct store_calls_args a = {.target = {.usr = q->a}, .limit = 50};
        rc = store_query_incoming_calls(st, &a, &out, &e);
        break;
    }
    case R_CALLEES: {
        struct store_calls_args a = {.target = {.usr = q->a}, .limit = 50};
        rc = store_query_outgoing_calls(st, &a, &out, &e);
        break;
    }
    case R_HIER: {
        struct store_hierarchy_args a = {
            .target = {.usr = q->a}, .max_depth = 10, .max_nodes = 200};
        rc = store_query_class_hierarchy(st, &a, &out, &e);
        break;
    }
    case R_REFS: {
        struct store_refs_args a = {.target = {.usr = q->a}, .limit = 50};
        rc = store_query_references(st, &a, &out, &e);
        break;
    }
    case R_OUTLINE:
        /* the server resolves the relative path to this absolute one first */
        rc = store_query_file_outline(st, P->files_abs.v[q->idx], NULL, &out, &e);
        break;
    case R_SOURCE: {
        struct store_source_args a = {.target = {.usr = q->a}};
        rc = store_query_source(st, &a, &out, &e);
        break;
    }
    case R_PATH: {
        struct store_path_args a = {
            .from = {.usr = q->a}, .to = {.usr = q->b}, .max_depth = 10, .max_paths = 10};
        rc = store_query_call_path(st, &a, &out, &e);
        break;
    }
    default:
        break;
    }
    json_decref(out);
    if (rc != 0)
        die("in process: %s %s: %s", kinds[q->k].label, q->args, e.msg);
    return time_mono_ns() - t0;
}

/* ---- the report ------------------------------------------------------------------------------ */

struct opts {
    const char *project, *cache_dir, *cidx, *out, *only;
    size_t requests, warmup, spawns;
    unsigned jobs;
    uint64_t seed;
    bool reindex, serve_cache;
};

#define emit(...) strbuf_addf(out, __VA_ARGS__)

static void machine(struct strbuf *out, const struct opts *o, const char *load_start)
{
    char *cpu = NULL, model[256] = "unknown", when[32];
    size_t len = 0;
    struct utsname un;
    if (fs_read_file(&cpu, &len, "/proc/cpuinfo", 4u << 20, NULL) == 0) {
        char *p = strstr(cpu, "model name");
        if (p && (p = strchr(p, ':')) != NULL) {
            size_t k = 0;
            for (p += 2; *p && *p != '\n' && k + 1 < sizeof(model); p++)
                model[k++] = *p;
            model[k] = '\0';
        }
    }
    free(cpu);
    if (uname(&un) != 0)
        memset(&un, 0, sizeof(un));
    time_format_utc(when, time_now());
    emit("# cidx MCP server benchmark\n\n");
    emit("| | |\n|---|---|\n");
    emit("| date | %s UTC |\n", when);
    emit("| machine | %s, %ld cores online, %s %s; load average at start %s |\n", model,
         sysconf(_SC_NPROCESSORS_ONLN), un.sysname, un.release, load_start);
    emit("| SQLite | %s |\n", sqlite3_libversion());
#ifdef NDEBUG
    emit("| build | optimized (NDEBUG) |\n");
#else
    emit("| build | NOT a release build: numbers are not representative |\n");
#endif
    {
        char rev[64] = "unknown";
        FILE *p = popen("git describe --always --dirty 2>/dev/null", "r");
        if (p) {
            if (fgets(rev, sizeof(rev), p))
                rev[strcspn(rev, "\n")] = '\0';
            pclose(p);
        }
        emit("| cidx revision | %s (git describe at run time) |\n", rev);
    }
    if (o->serve_cache)
        emit("| server | `%s serve --cache-dir %s` |\n", o->cidx, o->cache_dir);
    else
        emit("| server | `%s serve --project %s --cache-dir %s` |\n", o->cidx, o->project,
             o->cache_dir);
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_mcp [--project DIR] [--cache-dir DIR] [--cidx PATH] [--requests N]\n"
            "                 [--warmup N] [--spawns N] [--serve project|cache] [--jobs N]\n"
            "                 [--reindex] [--seed S] [--only KIND,...] [--out FILE]\n"
            "kinds: exact prefix words regex info callers callees hierarchy refs outline source "
            "path\n");
    exit(2);
}

static size_t parse_count(const char *s, uint64_t max)
{
    uint64_t n;
    if (str_to_u64(&n, s, max))
        usage();
    return (size_t)n;
}

static char *self_dir_file(const char *name)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;
    if (n <= 0)
        return xstrdup(name);
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    return path_join(exe, name);
}

static void run_index(const struct opts *o)
{
    char jobs[16];
    char *argv[] = {(char *)o->cidx,
                    (char *)"index",
                    (char *)o->project,
                    (char *)"--cache-dir",
                    (char *)o->cache_dir,
                    (char *)"--jobs",
                    jobs,
                    NULL};
    pid_t pid;
    int status = 0, rc;
    snprintf(jobs, sizeof(jobs), "%u", o->jobs);
    fprintf(stderr, "bench_mcp: indexing %s into %s (%u jobs)...\n", o->project, o->cache_dir,
            o->jobs);
    if ((rc = posix_spawn(&pid, o->cidx, NULL, NULL, argv, environ)) != 0)
        die("cannot start '%s': %s", o->cidx, strerror(rc));
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("'cidx index' failed (status %d)", status);
}

/* One spawn: posix_spawn to the initialize answer, in ns. */
static uint64_t spawn_once(char *const argv[])
{
    struct server s;
    const char *line;
    size_t len;
    static const char init_line[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
        "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
        "\"clientInfo\":{\"name\":\"bench_mcp\",\"version\":\"1\"}}}\n";
    uint64_t t0 = time_mono_ns(), t;
    server_spawn(&s, argv);
    server_write(&s, init_line, sizeof(init_line) - 1);
    server_read_line(&s, &line, &len);
    t = time_mono_ns() - t0;
    if (!memmem(line, len, "\"result\"", 8))
        die("initialize failed: %.*s", (int)len, line);
    server_close(&s);
    return t;
}

struct stats {
    uint64_t *srv, *inp;
    size_t *bytes;
    size_t n, ni, errors, partial; /* n server answers, ni in-process runs (same order) */
};

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    struct store *st = NULL;
    struct err e = {0};
    struct pools P;
    struct rng r;
    struct req *reqs;
    struct stats S[R_COUNT];
    struct server srv;
    struct store_stats ss;
    struct strbuf report = STRBUF_INIT, *out = &report;
    char *root = NULL, *db = NULL, *default_project = NULL, *default_cache = NULL;
    char *cidx_default = NULL;
    char load_start[64], load_end[64];
    char *serve_argv[8], *project_argv[8], *cache_argv[8];
    size_t nreq, i;
    uint64_t *spawn_project, *spawn_cache, *pings, t_spawn, t_init_ns, t_ready_ns, all_t0, all_ns;
    double cpu0, cpu1, finished0 = 0, finished1 = 0;
    long hwm, rss, anon, file, hwm_ready;
    json_t *res;

    {
        const char *bench = getenv("CIDX_BENCH_DIR");
        const char *home = getenv("HOME");
        char *base = bench && *bench ? xstrdup(bench)
                                     : xasprintf("%s/.cache/cidx-bench", home ? home : "/root");
        const char *tmp = getenv("TMPDIR");
        default_project = xasprintf("%s/googletest-1.12.1", base);
        default_cache = xasprintf("%s/cidx-bench-mcp-googletest", tmp && *tmp ? tmp : "/tmp");
        free(base);
    }
    cidx_default = self_dir_file("cidx");
    o.project = default_project;
    o.cache_dir = default_cache;
    o.cidx = cidx_default;
    o.requests = 10000;
    o.warmup = 500;
    o.spawns = 25;
    o.jobs = 2;
    o.seed = 1;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--reindex")) {
            o.reindex = true;
            continue;
        }
        if (!v)
            usage();
        a++;
        if (!strcmp(argv[a - 1], "--project"))
            o.project = v;
        else if (!strcmp(argv[a - 1], "--cache-dir"))
            o.cache_dir = v;
        else if (!strcmp(argv[a - 1], "--cidx"))
            o.cidx = v;
        else if (!strcmp(argv[a - 1], "--out"))
            o.out = v;
        else if (!strcmp(argv[a - 1], "--only"))
            o.only = v;
        else if (!strcmp(argv[a - 1], "--requests"))
            o.requests = parse_count(v, 10000000);
        else if (!strcmp(argv[a - 1], "--warmup"))
            o.warmup = parse_count(v, 10000000);
        else if (!strcmp(argv[a - 1], "--spawns"))
            o.spawns = parse_count(v, 100000);
        else if (!strcmp(argv[a - 1], "--jobs"))
            o.jobs = (unsigned)parse_count(v, 256);
        else if (!strcmp(argv[a - 1], "--seed"))
            o.seed = parse_count(v, UINT64_MAX);
        else if (!strcmp(argv[a - 1], "--serve") && !strcmp(v, "project"))
            o.serve_cache = false;
        else if (!strcmp(argv[a - 1], "--serve") && !strcmp(v, "cache"))
            o.serve_cache = true;
        else
            usage();
    }
    if (!o.requests || !o.spawns)
        usage();
    signal(SIGPIPE, SIG_IGN);
    r.s = o.seed;
    loadavg(load_start);

    root = path_real(o.project);
    if (!root || !fs_is_dir(root))
        die("project '%s' not found: run bench/real/setup.sh googletest", o.project);
    o.project = root;
    if (access(o.cidx, X_OK) != 0)
        die("'%s' is not executable (--cidx PATH)", o.cidx);
    db = path_join(o.cache_dir, STORE_DB_NAME);
    if (o.reindex || !fs_exists(db))
        run_index(&o);

    /* 1. targets, from the index itself */
    if (store_open(&st, o.cache_dir, STORE_OPEN_READONLY | STORE_OPEN_EXISTING, &e) != 0 ||
        store_query_set_root(st, root, &e) != 0)
        die("cache '%s': %s", o.cache_dir, e.msg);
    if (store_stats_get(st, &ss, &e) != 0)
        die("cache '%s': %s", o.cache_dir, e.msg);
    memset(&P, 0, sizeof(P));
    fprintf(stderr, "bench_mcp: drawing targets from the index...\n");
    select_targets(st, root, &P, &r);
    reqs = build_requests(&P, o.requests + o.warmup, o.only, &r, &nreq);
    if (nreq <= o.warmup)
        die("too few requests");

    /* 2. the server */
    {
        int k = 0;
        project_argv[k++] = (char *)o.cidx;
        project_argv[k++] = (char *)"serve";
        project_argv[k++] = (char *)"--project";
        project_argv[k++] = (char *)root;
        project_argv[k++] = (char *)"--cache-dir";
        project_argv[k++] = (char *)o.cache_dir;
        project_argv[k] = NULL;
        k = 0;
        cache_argv[k++] = (char *)o.cidx;
        cache_argv[k++] = (char *)"serve";
        cache_argv[k++] = (char *)"--cache-dir";
        cache_argv[k++] = (char *)o.cache_dir;
        cache_argv[k] = NULL;
        memcpy(serve_argv, o.serve_cache ? cache_argv : project_argv, sizeof(serve_argv));
    }
    t_spawn = time_mono_ns();
    server_spawn(&srv, serve_argv);
    server_initialize(&srv);
    t_init_ns = time_mono_ns() - t_spawn;
    res = server_tool(&srv, "sync_project", "{\"mode\":\"status\",\"wait_seconds\":600}");
    t_ready_ns = time_mono_ns() - t_spawn;
    {
        json_t *sc = json_object_get(res, "structuredContent");
        const char *state = json_string_value(json_object_get(sc, "state"));
        if (!state || strcmp(state, "ready"))
            die("the server is not ready after sync_project: state %s", state ? state : "?");
        finished0 =
            json_number_value(json_object_get(json_object_get(sc, "last_refresh"), "finished_at"));
    }
    json_decref(res);
    hwm_ready = status_kb(srv.pid, "VmHWM:");
    fprintf(stderr, "bench_mcp: server pid %ld ready after %.1f ms; %zu requests (%zu warm-up)\n",
            (long)srv.pid, ms(t_ready_ns), nreq - o.warmup, o.warmup);

    memset(S, 0, sizeof(S));
    for (int k = 0; k < R_COUNT; k++) {
        S[k].srv = xcalloc(nreq, sizeof(uint64_t));
        S[k].inp = xcalloc(nreq, sizeof(uint64_t));
        S[k].bytes = xcalloc(nreq, sizeof(size_t));
    }
    /* warm-up: both sides, not counted */
    for (i = 0; i < o.warmup; i++) {
        char *params =
            xasprintf("{\"name\":\"%s\",\"arguments\":%s}", kinds[reqs[i].k].tool, reqs[i].args);
        run_inproc(st, &reqs[i], &P);
        server_call(&srv, "tools/call", params, NULL, NULL);
        free(params);
    }
    cpu0 = proc_cpu_ms(srv.pid);
    all_ns = 0;
    for (size_t b = o.warmup; b < nreq; b += BLOCK) {
        size_t end = b + BLOCK < nreq ? b + BLOCK : nreq;
        for (i = b; i < end; i++) {
            struct stats *s = &S[reqs[i].k];
            s->inp[s->ni++] = run_inproc(st, &reqs[i], &P);
        }
        all_t0 = time_mono_ns();
        for (i = b; i < end; i++) {
            struct stats *s = &S[reqs[i].k];
            char *params = xasprintf("{\"name\":\"%s\",\"arguments\":%s}", kinds[reqs[i].k].tool,
                                     reqs[i].args);
            json_t *a = NULL, *result, *sc;
            size_t bytes = 0;
            uint64_t t = server_call(&srv, "tools/call", params, &a, &bytes);
            free(params);
            result = json_object_get(a, "result");
            sc = json_object_get(result, "structuredContent");
            if (!result || json_is_true(json_object_get(result, "isError"))) {
                if (s->errors++ < 3) {
                    char *txt = json_dumps(a, JSON_COMPACT);
                    fprintf(stderr, "bench_mcp: %s %s: %s\n", kinds[reqs[i].k].label, reqs[i].args,
                            txt ? txt : "?");
                    free(txt);
                }
            }
            if (json_object_get(sc, "partial"))
                s->partial++;
            json_decref(a);
            s->srv[s->n] = t;
            s->bytes[s->n] = bytes;
            s->n++;
        }
        all_ns += time_mono_ns() - all_t0;
    }
    cpu1 = proc_cpu_ms(srv.pid);
    hwm = status_kb(srv.pid, "VmHWM:");
    rss = status_kb(srv.pid, "VmRSS:");
    anon = status_kb(srv.pid, "RssAnon:");
    file = status_kb(srv.pid, "RssFile:");
    /* transport alone: ping is answered by the server's reader thread, no tool, no store */
    pings = xcalloc(NPINGS, sizeof(uint64_t));
    for (i = 0; i < NPINGS; i++)
        pings[i] = server_call(&srv, "ping", "{}", NULL, NULL);
    qsort(pings, NPINGS, sizeof(uint64_t), cmp_u64);
    res = server_tool(&srv, "sync_project", "{\"mode\":\"status\"}");
    {
        json_t *sc = json_object_get(res, "structuredContent");
        const char *state = json_string_value(json_object_get(sc, "state"));
        finished1 =
            json_number_value(json_object_get(json_object_get(sc, "last_refresh"), "finished_at"));
        if (!state || strcmp(state, "ready") || finished1 != finished0)
            fprintf(stderr, "bench_mcp: warning: the server re-indexed during the measurement\n");
    }
    json_decref(res);
    {
        int status = server_close(&srv);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fprintf(stderr, "bench_mcp: warning: the server ended with status %d\n", status);
    }
    store_close(st);
    st = NULL;

    /* 3. spawn to initialize answer, alternating the two ways of starting */
    spawn_project = xcalloc(o.spawns, sizeof(uint64_t));
    spawn_cache = xcalloc(o.spawns, sizeof(uint64_t));
    fprintf(stderr, "bench_mcp: %zu spawns each way...\n", o.spawns);
    spawn_once(project_argv); /* untimed: page cache */
    for (i = 0; i < o.spawns; i++) {
        spawn_project[i] = spawn_once(project_argv);
        spawn_cache[i] = spawn_once(cache_argv);
    }
    qsort(spawn_project, o.spawns, sizeof(uint64_t), cmp_u64);
    qsort(spawn_cache, o.spawns, sizeof(uint64_t), cmp_u64);
    loadavg(load_end);

    /* 4. the report */
    machine(out, &o, load_start);
    emit("| dataset | %s: %lld files (%lld project), %lld symbols, %lld references (%lld calls), "
         "%.1f MB cache |\n",
         root, (long long)ss.files, (long long)ss.project_files, (long long)ss.symbols,
         (long long)ss.refs, (long long)ss.calls, (double)ss.db_bytes / 1e6);
    emit("| method | %zu tools/call requests in a fixed mix, shuffled (seed %llu), after %zu "
         "warm-up requests; one in flight; round trip timed in the client from before the "
         "write to the end of the answer line; in process: the same calls through store_search "
         "/ store_query_* on a read-only handle, interleaved in blocks of %d; p50 and p95 "
         "nearest rank |\n",
         nreq - o.warmup, (unsigned long long)o.seed, o.warmup, BLOCK);
    emit("| load average | %s at start, %s at end |\n\n", load_start, load_end);

    emit("| tool | requests | distinct targets | server p50 ms | server p95 ms | in-process p50 "
         "ms | in-process p95 ms | protocol overhead ms (median of server − in process, per "
         "request) | answer KB p50 / max | target p50 | "
         "|\n");
    emit("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    {
        uint64_t *all = xcalloc(nreq, sizeof(uint64_t)), *alli = xcalloc(nreq, sizeof(uint64_t));
        size_t nall = 0, errs = 0, partial = 0;
        int64_t all_over50;
        for (int k = 0; k < R_COUNT; k++) {
            struct stats *s = &S[k];
            size_t distinct = k == R_INFO ? P.p[k].n + P.info_names.n : P.p[k].n;
            uint64_t sp50, sp95, ip50, ip95;
            int64_t *diff, over50;
            if (!s->n)
                continue;
            memcpy(all + nall, s->srv, s->n * sizeof(uint64_t));
            memcpy(alli + nall, s->inp, s->n * sizeof(uint64_t));
            nall += s->n;
            errs += s->errors;
            partial += s->partial;
            /* the overhead per request: both sides ran the same calls in the same order */
            diff = xcalloc(s->n, sizeof(int64_t));
            for (size_t j = 0; j < s->n; j++)
                diff[j] = (int64_t)s->srv[j] - (int64_t)s->inp[j];
            qsort(diff, s->n, sizeof(int64_t), cmp_i64);
            over50 = diff[s->n / 2];
            free(diff);
            qsort(s->srv, s->n, sizeof(uint64_t), cmp_u64);
            qsort(s->inp, s->n, sizeof(uint64_t), cmp_u64);
            qsort(s->bytes, s->n, sizeof(size_t), cmp_size);
            sp50 = pct(s->srv, s->n, 50);
            sp95 = pct(s->srv, s->n, 95);
            ip50 = pct(s->inp, s->n, 50);
            ip95 = pct(s->inp, s->n, 95);
            if (distinct > s->n)
                distinct = s->n;
            emit("| %s | %zu | %zu | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f / %.0f |",
                 kinds[k].label, s->n, distinct, ms(sp50), ms(sp95), ms(ip50), ms(ip95),
                 (double)over50 / 1e6, (double)s->bytes[s->n / 2] / 1024.0,
                 (double)s->bytes[s->n - 1] / 1024.0);
            if (kinds[k].target_p50_ms > 0)
                emit(" ≤ %.1f ms | %s |\n", kinds[k].target_p50_ms,
                     ms(sp50) <= kinds[k].target_p50_ms ? "PASS" : "**MISS**");
            else
                emit(" | |\n");
        }
        {
            int64_t *diff = xcalloc(nall ? nall : 1, sizeof(int64_t));
            for (size_t j = 0; j < nall; j++)
                diff[j] = (int64_t)all[j] - (int64_t)alli[j];
            qsort(diff, nall, sizeof(int64_t), cmp_i64);
            all_over50 = nall ? diff[nall / 2] : 0;
            free(diff);
        }
        qsort(all, nall, sizeof(uint64_t), cmp_u64);
        qsort(alli, nall, sizeof(uint64_t), cmp_u64);
        emit("| all | %zu | | %.3f | %.3f | %.3f | %.3f | %.3f | | | |\n", nall,
             ms(pct(all, nall, 50)), ms(pct(all, nall, 95)), ms(pct(alli, nall, 50)),
             ms(pct(alli, nall, 95)), (double)all_over50 / 1e6);
        emit("| ping (answered by the reader thread: pipes and JSON-RPC only) | %d | | %.3f | "
             "%.3f | | | | | | |\n\n",
             NPINGS, ms(pct(pings, NPINGS, 50)), ms(pct(pings, NPINGS, 95)));
        emit("| server | value | target | |\n|---|--:|--:|---|\n");
        emit("| peak RSS (VmHWM at the end) | %.1f MB | ≤ 25 MB | %s |\n", (double)hwm / 1024.0,
             hwm >= 0 && hwm <= 25 * 1024 ? "PASS" : "**MISS**");
        emit("| RSS at the end (VmRSS: anonymous + file) | %.1f MB (%.1f + %.1f) | | |\n",
             (double)rss / 1024.0, (double)anon / 1024.0, (double)file / 1024.0);
        emit("| peak RSS when ready, before the first tool call (VmHWM) | %.1f MB | | |\n",
             (double)hwm_ready / 1024.0);
        emit("| spawn → initialize answer, `--project DIR --cache-dir C`: median (p95, min; n) | "
             "%.2f ms (%.2f, %.2f; %zu) | ≤ 20 ms | %s |\n",
             ms(pct(spawn_project, o.spawns, 50)), ms(pct(spawn_project, o.spawns, 95)),
             ms(spawn_project[0]), o.spawns,
             ms(pct(spawn_project, o.spawns, 50)) <= 20.0 ? "PASS" : "**MISS**");
        emit("| spawn → initialize answer, `--cache-dir C` alone: median (p95, min; n) | %.2f ms "
             "(%.2f, %.2f; %zu) | ≤ 20 ms | %s |\n",
             ms(pct(spawn_cache, o.spawns, 50)), ms(pct(spawn_cache, o.spawns, 95)),
             ms(spawn_cache[0]), o.spawns,
             ms(pct(spawn_cache, o.spawns, 50)) <= 20.0 ? "PASS" : "**MISS**");
        emit("| measured session: spawn → initialize answer / → sync_project says ready | %.2f / "
             "%.2f ms | | |\n",
             ms(t_init_ns), ms(t_ready_ns));
        emit("| %zu requests: wall time in the client, requests/s | %.2f s, %.0f/s | | |\n", nall,
             (double)all_ns / 1e9, (double)nall / ((double)all_ns / 1e9));
        emit("| server CPU time (user + system) per request; mean round trip; mean in process | "
             "%.3f ms; %.3f ms; %.3f ms | | |\n",
             (cpu1 - cpu0) / (double)nall, mean_ms(all, nall), mean_ms(alli, nall));
        emit("| error answers / results marked partial / re-indexed during the run | %zu / %zu / "
             "%s | 0 / 0 / no | |\n\n",
             errs, partial, finished1 != finished0 ? "**yes**" : "no");
        free(all);
        free(alli);
    }
    emit("Targets: find_incoming_calls only on functions with 1 to 50 callers (%zu of %zu "
         "functions tried; %zu had none, %zu more than 50); get_symbol_info half by usr, half by "
         "qualified name; trace_call_path between a function and a callee of one of its "
         "callees (%zu pairs); get_class_hierarchy on classes with a base or a derived class; "
         "get_file_outline on the %zu indexed project files (relative paths); find_references "
         "and get_source by usr.\n\n",
         P.p[R_CALLERS].n, P.callers_tried, P.callers_none, P.callers_over50, P.p[R_PATH].n,
         P.p[R_OUTLINE].n);

    fwrite(report.buf, 1, report.len, stdout);
    if (o.out) {
        FILE *f = fopen(o.out, "w");
        if (!f || fwrite(report.buf, 1, report.len, f) != report.len || fclose(f) != 0)
            die("cannot write '%s'", o.out);
    }

    for (i = 0; i < nreq; i++)
        free(reqs[i].args);
    free(reqs);
    for (int k = 0; k < R_COUNT; k++) {
        free(S[k].srv);
        free(S[k].inp);
        free(S[k].bytes);
        strs_release(&P.p[k]);
    }
    strs_release(&P.info_names);
    strs_release(&P.path_to);
    strs_release(&P.files_abs);
    free(pings);
    free(spawn_project);
    free(spawn_cache);
    free(db);
    free(root);
    free(default_project);
    free(default_cache);
    free(cidx_default);
    strbuf_release(&report);
    return 0;
}
