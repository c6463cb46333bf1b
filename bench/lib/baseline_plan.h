/*
 * baseline_plan.h - the Python predecessor's cache design (spec/sqlite-cache-plan.md), written
 * in C on the same SQLite, so that benchmarks can report cidx against it in the same run.
 *
 * It is the plan's design as written: one symbols table keyed by usr with JSON text columns
 * base_classes / calls / called_by, its eight indexes, FTS5 symbols_fts(name, kind, usr
 * UNINDEXED, content=symbols) kept in sync by its three triggers, INSERT OR REPLACE batch
 * writes, and searches through "name = ?", "name MATCH ?", LIKE and a REGEXP function. What C
 * removes is the interpreter, not the design's costs.
 *
 * Thread-safety: a struct bp_db is one connection, for one thread at a time.
 */
#ifndef CIDX_BASELINE_PLAN_H
#define CIDX_BASELINE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "synth.h"

struct bp_db;

/* The plan's "Updated Database Schema" (spec/sqlite-cache-plan.md), as its Python code made it;
 * also what the migration tests build a version 0 cache from. */
extern const char bp_plan_schema_sql[];

/*
 * Opens the database at path (creating the plan's schema when create) with the plan's
 * connection settings: WAL, synchronous=NORMAL, a 30 s busy timeout. *out is the caller's, to
 * close with bp_close. Errors: ERR_DB.
 */
int bp_open(struct bp_db **out, const char *path, bool create, struct err *err);
void bp_close(struct bp_db *db);

/*
 * What the Python indexer held in memory over the whole project before saving: for each usr
 * the record that wins (a definition over a declaration, else the first declaration), and the
 * called_by lists. Built from a pass over all synthetic files; free with bp_project_free.
 */
struct bp_project;
struct bp_project *bp_project_build(const struct synth_opts *o);
void bp_project_free(struct bp_project *pr);

/*
 * Loads the synthetic project. Bulk: one transaction for everything, each usr inserted once
 * (the plan's save_symbols_batch over the merged symbols). per_file: one transaction per file
 * with INSERT OR REPLACE as files come (a re-index of every file). *write_s is the time spent
 * in SQLite and in building the rows (generating the synthetic files excluded).
 *
 * The plan's triggers leave stale FTS rows when INSERT OR REPLACE replaces a row
 * (recursive_triggers is off, so the delete trigger does not run; and its plain DELETE on an
 * external-content table could not remove the old terms anyway): after a per-file load or a
 * bp_file_replace, FTS queries can fail with SQLITE_CORRUPT. That is the design's, kept as is.
 */
int bp_load(struct bp_db *db, const struct synth_opts *o, const struct bp_project *pr,
            bool per_file, double *write_s, uint64_t *rows, struct err *err);

/* The plan's maintenance step that matters for queries: ANALYZE (without it SQLite 3.40 plans
 * "name = ? AND is_project = 1" on idx_symbol_project, nearly a scan). */
int bp_analyze(struct bp_db *db, struct err *err);

/* Re-indexes one file the plan's way: DELETE its rows, INSERT OR REPLACE the new ones. */
int bp_file_replace(struct bp_db *db, const struct synth_file *f, const struct bp_project *pr,
                    struct err *err);

/*
 * Runs the plan's query for a cidx match mode (exact: name = ?; prefix: FTS "x"*; auto: FTS
 * "x"; words, substring: LIKE; qualified: name = ? and parent_class / namespace; regex: REGEXP),
 * project symbols only, at most 50 rows, reading every column of every row. *nrows gets the
 * row count.
 */
int bp_search(struct bp_db *db, enum store_match mode, const char *pattern, size_t *nrows,
              struct err *err);

/* The SQL text each mode runs (for the report). */
const char *bp_search_sql(enum store_match mode);

#endif
