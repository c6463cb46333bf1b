/*
 * cmd_index.c - `cidx index [DIR]`: index a project or refresh its index, with a progress bar
 * on a terminal (plain periodic lines otherwise) and a summary at the end.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "index/index.h"

enum { O_JOBS, O_FULL, O_CCDB, O_CONFIG, O_NO_WAIT, O_TIMEOUT, O_QUIET };

static const struct cli_opt opts[] = {
    [O_JOBS] = {"jobs", CLI_VALUE, "N", "parse workers (default: one per core)"},
    [O_FULL] = {"full", CLI_FLAG, NULL, "re-index every file, changed or not"},
    [O_CCDB] = {"compile-commands", CLI_VALUE, "FILE",
                "the compile database (default: DIR/compile_commands.json, DIR/build/...)"},
    [O_CONFIG] = {"config", CLI_VALUE, "FILE",
                  "config file (default: $CPP_ANALYZER_CONFIG, DIR/cpp-analyzer-config.json)"},
    [O_NO_WAIT] = {"no-wait", CLI_FLAG, NULL,
                   "fail instead of waiting when another run is indexing this cache"},
    [O_TIMEOUT] = {"timeout", CLI_VALUE, "SECONDS", "per-file parse time limit (default 300)"},
    [O_QUIET] = {"quiet", CLI_FLAG, NULL, "no progress output"},
};

struct view {
    bool tty, quiet;
    double last_line;
    size_t width;
};

static void fmt_eta(char out[32], double s)
{
    if (s < 0 || s > 1e7)
        snprintf(out, 32, "?");
    else if (s < 60)
        snprintf(out, 32, "%.0fs", s);
    else if (s < 3600)
        snprintf(out, 32, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(out, 32, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

static void on_progress(void *ctx, const struct idx_progress *p)
{
    struct view *v = ctx;
    double rate = p->elapsed_s > 0 ? (double)p->done / p->elapsed_s : 0;
    char eta[32];
    if (v->quiet)
        return;
    fmt_eta(eta, rate > 0 ? (double)(p->total - p->done) / rate : -1);
    if (v->tty) {
        char bar[41];
        size_t fill = p->total ? (p->done * 30) / p->total : 0, i;
        char line[512];
        int n;
        for (i = 0; i < 30; i++)
            bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[30] = 0;
        if (!strcmp(p->phase, "indexing") || !strcmp(p->phase, "finishing")) {
            const char *cur = p->current ? p->current : "";
            size_t cl = strlen(cur);
            n = snprintf(line, sizeof(line), "[%s] %zu/%zu  %.1f files/s  ETA %s  ", bar, p->done,
                         p->total, rate, eta);
            if (n > 0 && (size_t)n < v->width) {
                size_t room = v->width - (size_t)n - 1;
                if (cl > room)
                    cur += cl - room;
                snprintf(line + n, sizeof(line) - (size_t)n, "%s", cur);
            }
        } else {
            snprintf(line, sizeof(line), "%s...", p->phase);
        }
        line[v->width < sizeof(line) ? v->width - 1 : sizeof(line) - 1] = 0;
        fprintf(stderr, "\r\033[K%s", line);
        if (!strcmp(p->phase, "done"))
            fprintf(stderr, "\r\033[K");
        fflush(stderr);
        return;
    }
    if (strcmp(p->phase, "indexing") || p->total == 0)
        return;
    if (p->elapsed_s - v->last_line >= 5.0 || p->done == p->total) {
        v->last_line = p->elapsed_s;
        fprintf(stderr, "cidx: indexed %zu/%zu files (%zu%%), %.1f files/s, ETA %s\n", p->done,
                p->total, p->total ? p->done * 100 / p->total : 100, rate, eta);
    }
}

static volatile int g_cancel;

static void on_signal(int sig)
{
    (void)sig;
    g_cancel = 1;
}

static int run(const struct cli_command *cmd, struct cli_args *a)
{
    struct idx_options o;
    struct idx_summary s;
    struct err e = {0};
    struct view v;
    const char *dir = a->npos ? a->pos[0] : a->values[CLI_COMMON_PROJECT];
    uint64_t jobs = 0, timeout = 0;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&v, 0, sizeof(v));
    if (a->npos && a->values[CLI_COMMON_PROJECT])
        return cli_usage_error(cmd, "give the project either as DIR or with --project, not both");
    if (a->values[CLI_OPT(O_JOBS)] &&
        (str_to_u64(&jobs, a->values[CLI_OPT(O_JOBS)], 256) != 0 || jobs == 0))
        return cli_usage_error(cmd, "--jobs takes a number from 1 to 256");
    if (a->values[CLI_OPT(O_TIMEOUT)] &&
        (str_to_u64(&timeout, a->values[CLI_OPT(O_TIMEOUT)], 86400) != 0 || timeout == 0))
        return cli_usage_error(cmd, "--timeout takes seconds from 1 to 86400");
    o.root = dir ? dir : ".";
    o.cache_dir = a->values[CLI_COMMON_CACHE_DIR];
    o.config_path = a->values[CLI_OPT(O_CONFIG)];
    o.ccdb_path = a->values[CLI_OPT(O_CCDB)];
    o.jobs = (unsigned)jobs;
    o.timeout_s = (unsigned)timeout;
    o.full = a->values[CLI_OPT(O_FULL)] != NULL;
    o.no_wait = a->values[CLI_OPT(O_NO_WAIT)] != NULL;
    v.quiet = a->values[CLI_OPT(O_QUIET)] != NULL || a->values[CLI_COMMON_JSON] != NULL;
    v.tty = isatty(2);
    v.width = 80;
    if (v.tty) {
        struct winsize ws;
        if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
            v.width = ws.ws_col;
    }
    o.progress = on_progress;
    o.progress_ctx = &v;
    o.cancel = &g_cancel;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    rc = idx_run(&o, &s, &e);
    if (v.tty && !v.quiet)
        fprintf(stderr, "\r\033[K");
    if (rc) {
        idx_summary_release(&s);
        return cli_error("%s", e.msg);
    }
    if (a->values[CLI_COMMON_JSON]) {
        json_t *j = json_object();
        json_object_set_new(j, "cache_dir", cli_json_str(s.cache_dir));
        json_object_set_new(j, "compile_commands",
                            s.ccdb_path ? cli_json_str(s.ccdb_path) : json_null());
        json_object_set_new(j, "sources", json_integer((json_int_t)s.sources));
        json_object_set_new(j, "parsed", json_integer((json_int_t)s.parsed));
        json_object_set_new(j, "failed", json_integer((json_int_t)s.failed));
        json_object_set_new(j, "with_errors", json_integer((json_int_t)s.with_errors));
        json_object_set_new(j, "unchanged", json_integer((json_int_t)s.unchanged));
        json_object_set_new(j, "touched", json_integer((json_int_t)s.touched));
        json_object_set_new(j, "deleted", json_integer((json_int_t)s.deleted));
        json_object_set_new(j, "headers", json_integer((json_int_t)s.headers));
        json_object_set_new(j, "alternatives", json_integer((json_int_t)s.alternatives));
        json_object_set_new(j, "added", json_integer((json_int_t)s.added));
        json_object_set_new(j, "modified", json_integer((json_int_t)s.modified));
        json_object_set_new(j, "args_changed", json_integer((json_int_t)s.args_changed));
        json_object_set_new(j, "headers_changed", json_integer((json_int_t)s.headers_changed));
        json_object_set_new(j, "symbols", json_integer(s.symbols));
        json_object_set_new(j, "refs", json_integer(s.refs));
        json_object_set_new(j, "seconds", json_real(s.seconds));
        json_object_set_new(j, "files_per_second",
                            json_real(s.seconds > 0 ? (double)s.parsed / s.seconds : 0));
        json_object_set_new(j, "parent_rss_kb", json_integer(s.parent_rss_kb));
        json_object_set_new(j, "worker_rss_kb_max", json_integer(s.worker_rss_kb_max));
        json_object_set_new(j, "nothing_changed", json_boolean(s.nothing_changed));
        json_object_set_new(j, "cancelled", json_boolean(s.cancelled));
        {
            bool cancelled = s.cancelled;
            idx_summary_release(&s);
            return cli_json_print(j) == CLI_OK && !cancelled ? CLI_OK : CLI_FAIL;
        }
    }
    if (s.nothing_changed) {
        printf("Up to date: %zu sources, nothing changed (%.0f ms)\n", s.sources, s.seconds * 1e3);
    } else if (s.parsed == 0 && s.failed == 0 && s.deleted == 0) {
        printf("Up to date: %zu sources; %zu file%s had a new timestamp but the same content "
               "(%.0f ms)\n",
               s.sources, s.touched, s.touched == 1 ? "" : "s", s.seconds * 1e3);
    } else {
        char sym[32], ref[32];
        cli_fmt_count(sym, s.symbols);
        cli_fmt_count(ref, s.refs);
        printf("Indexed %zu of %zu sources in %.1f s (%.1f files/s)%s\n", s.parsed, s.sources,
               s.seconds, s.seconds > 0 ? (double)s.parsed / s.seconds : 0.0,
               s.cancelled ? " - cancelled" : "");
        printf("  %s symbols, %s references written; %zu headers claimed\n", sym, ref, s.headers);
        if (s.unchanged || s.touched || s.deleted)
            printf("  %zu unchanged, %zu touched (same content), %zu removed\n", s.unchanged,
                   s.touched, s.deleted);
        if (s.failed || s.with_errors)
            printf("  %zu failed, %zu with compile errors (see 'cidx doctor' / parse_errors)\n",
                   s.failed, s.with_errors);
        if (s.alternatives)
            printf("  %zu extra compile database entries ignored (the first entry for a file "
                   "wins)\n",
                   s.alternatives);
        printf("  cache: %s\n", s.cache_dir);
    }
    {
        bool cancelled = s.cancelled;
        idx_summary_release(&s);
        return cancelled ? CLI_FAIL : CLI_OK;
    }
}

const struct cli_command cmd_index = {
    .name = "index",
    .summary = "index a C/C++ project, or refresh its index (only what changed)",
    .usage = "cidx index [DIR] [options]",
    .details =
        "Reads DIR/compile_commands.json or DIR/build/compile_commands.json (or "
        "--compile-commands;\n"
        "without one, scans DIR for sources and parses them with default flags). Parses with\n"
        "--jobs worker processes; a file that crashes or hangs the parser is recorded and\n"
        "retried, and the run goes on. Running it again re-indexes only changed sources, the\n"
        "dependents of changed headers, and files whose compile arguments changed.\n"
        "Compile arguments that could load code or write files are removed (and logged).",
    .opts = opts,
    .nopts = (int)ARRAY_SIZE(opts),
    .min_pos = 0,
    .max_pos = 1,
    .cache = true,
    .run = run,
};
