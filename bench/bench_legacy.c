/*
 * bench_legacy.c - the legacy JSON migration benchmark (issue 5): generates a legacy cache
 * (bench/lib/legacy_gen.h), migrates it into a fresh cidx cache R times (store_legacy_migrate,
 * what `cidx migrate-json` runs) and exports the result R times (store_legacy_export), and
 * prints a Markdown table of the medians with the phases of the migration.
 *
 *   bench_legacy [--symbols N] [--reps R] [--seed S] [--keep]
 *
 * Timings are wall clock, in this process, with the JSON in the page cache (it was just
 * written); the target of the issue is a 100K-symbol cache migrated in at most 1.5 s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "legacy_gen.h"
#include "store/store.h"
#include "synth.h"

#define MAX_REPS 25

/* CPU seconds of this process so far, every thread, user and system. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void row(const char *what, double *v, int n)
{
    double lo, hi, med;
    med = median(v, n);
    lo = v[0];
    hi = v[n - 1];
    printf("| %s | %.3f | %.3f | %.3f |\n", what, med, lo, hi);
}

int main(int argc, char **argv)
{
    struct legacy_gen_opts go;
    struct legacy_gen_report gr;
    struct err e = {0};
    char tmpl[] = "/tmp/cidx-bench-legacy-XXXXXX";
    char *root, *legacy;
    uint64_t reps = 3;
    bool keep = false;
    double total[MAX_REPS], rd[MAX_REPS], wr[MAX_REPS], vf[MAX_REPS], other[MAX_REPS], ex[MAX_REPS];
    double cpu[MAX_REPS], excpu[MAX_REPS];
    struct store_legacy_report last;
    uint64_t t0;

    legacy_gen_opts_init(&go);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--symbols") && v) {
            if (synth_parse_count(&go.symbols, v, 20000000) != 0) {
                fprintf(stderr, "bench_legacy: --symbols: '%s' is not a count\n", v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--reps") && v) {
            if (str_to_u64(&reps, v, MAX_REPS) != 0 || reps == 0) {
                fprintf(stderr, "bench_legacy: --reps: 1 to %d\n", MAX_REPS);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            if (str_to_u64(&go.seed, v, UINT32_MAX) != 0)
                return 2;
            i++;
        } else if (!strcmp(a, "--keep")) {
            keep = true;
        } else {
            fprintf(stderr, "usage: bench_legacy [--symbols N] [--reps R] [--seed S] [--keep]\n");
            return 2;
        }
    }
    log_set_level(LOG_ERROR);
    root = mkdtemp(tmpl);
    if (!root) {
        perror("bench_legacy: mkdtemp");
        return 1;
    }
    legacy = path_join(root, "legacy");
    t0 = time_mono_ns();
    if (legacy_gen_write(legacy, &go, &gr, &e) != 0) {
        fprintf(stderr, "bench_legacy: %s\n", e.msg);
        return 1;
    }
    printf("## Legacy JSON migration, %llu symbols\n\n", (unsigned long long)gr.symbols);
    printf("Legacy cache: %llu symbol records in cache_info.json (%llu classes and structs, "
           "%llu functions and methods), %llu files (%llu per-file caches repeating their "
           "symbols), %llu calls, %llu base classes, %llu headers, %llu parse errors; %.1f MB of "
           "JSON, generated in %.2f s.\n\n",
           (unsigned long long)gr.symbols, (unsigned long long)gr.classes,
           (unsigned long long)gr.functions, (unsigned long long)gr.files,
           (unsigned long long)gr.sources, (unsigned long long)gr.calls,
           (unsigned long long)gr.bases, (unsigned long long)gr.headers,
           (unsigned long long)gr.parse_errors, (double)gr.bytes / 1e6,
           (double)(time_mono_ns() - t0) / 1e9);
    memset(&last, 0, sizeof(last));
    for (uint64_t r = 0; r < reps; r++) {
        char name[32], *cache;
        struct store_legacy_opts o = {legacy, NULL, true, NULL, NULL};
        struct store_legacy_report rep;
        snprintf(name, sizeof(name), "cache-%llu", (unsigned long long)r);
        cache = path_join(root, name);
        o.cache_dir = cache;
        cpu[r] = cpu_s();
        if (store_legacy_migrate(&o, &rep, &e) != 0) {
            fprintf(stderr, "bench_legacy: migrate: %s\n", e.msg);
            return 1;
        }
        cpu[r] = cpu_s() - cpu[r];
        total[r] = rep.seconds;
        rd[r] = rep.read_s;
        wr[r] = rep.write_s;
        vf[r] = rep.verify_s;
        /* the verification runs on a second thread while the import builds its indexes: its
           time is inside write_s */
        other[r] = rep.seconds - rep.read_s - rep.write_s;
        store_legacy_report_release(&last);
        last = rep;
        free(cache);
    }
    for (uint64_t r = 0; r < reps; r++) {
        char name[32], *out, *cache = path_join(root, "cache-0");
        struct store_legacy_export_opts o = {NULL, false, NULL, NULL};
        struct store_legacy_export_report rep;
        struct store *st = NULL;
        snprintf(name, sizeof(name), "export-%llu", (unsigned long long)r);
        out = path_join(root, name);
        o.dir = out;
        excpu[r] = cpu_s();
        if (store_open(&st, cache, STORE_OPEN_READONLY, &e) != 0 ||
            store_legacy_export(st, &o, &rep, &e) != 0) {
            fprintf(stderr, "bench_legacy: export: %s\n", e.msg);
            return 1;
        }
        ex[r] = rep.seconds;
        excpu[r] = cpu_s() - excpu[r];
        store_legacy_export_report_release(&rep);
        store_close(st);
        free(out);
        free(cache);
    }
    printf("Imported %llu symbols, %llu files, %llu call edges, %llu base classes; %llu records "
           "compared field by field.\n\n",
           (unsigned long long)last.symbols, (unsigned long long)last.files,
           (unsigned long long)last.calls, (unsigned long long)last.bases,
           (unsigned long long)last.verified);
    printf("| step (%llu runs) | median s | min s | max s |\n|---|--:|--:|--:|\n",
           (unsigned long long)reps);
    row("**migrate**, total", total, (int)reps);
    row("read and check the JSON, merge; copy it aside (2 threads)", rd, (int)reps);
    row("import: bulk writes, indexes, FTS (built aside), verification", wr, (int)reps);
    row("verify every record (on the second core, during the index build)", vf, (int)reps);
    row("install, marker, the rest", other, (int)reps);
    row("migrate, CPU (user + system, all threads)", cpu, (int)reps);
    row("**export**", ex, (int)reps);
    row("export, CPU", excpu, (int)reps);
    printf("\ntarget: migrate ≤ 1.5 s at 100K symbols\n");
    store_legacy_report_release(&last);
    if (!keep) {
        char *cmd = xasprintf("rm -rf '%s'", root);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_legacy: could not remove %s\n", root);
        free(cmd);
    } else {
        printf("kept: %s\n", root);
    }
    free(legacy);
    return 0;
}
