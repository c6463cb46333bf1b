/*
 * store_sql.c - every SQL text of the store: the schema of each version, the index and trigger
 * scripts bulk mode drops and rebuilds, and the statement table (FTS5's aStmt[] pattern).
 * Values are always bound; no user data is ever formatted into SQL.
 */
#include "store_int.h"

/*
 * Schema v1. Kind, access and template codes are the enums of store.h. Every row that comes from
 * a source file carries its file_id: the file owns it (docs/internals/store.md explains the
 * shape and the byte budget behind it).
 */
const char store_schema_v1_sql[] =
    "CREATE TABLE schema_version(\n"
    "  version INTEGER PRIMARY KEY,\n"
    "  applied_at REAL NOT NULL,\n"
    "  description TEXT);\n"
    "CREATE TABLE cache_metadata(\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL,\n"
    "  updated_at REAL NOT NULL);\n"
    "CREATE TABLE files(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  path TEXT NOT NULL UNIQUE,\n"
    "  hash TEXT NOT NULL DEFAULT '',\n"
    "  args_hash TEXT,\n"
    "  mtime_ns INTEGER NOT NULL DEFAULT 0,\n"
    "  size INTEGER NOT NULL DEFAULT 0,\n"
    "  indexed_at REAL NOT NULL DEFAULT 0,\n"
    "  symbol_count INTEGER NOT NULL DEFAULT 0,\n"
    "  is_project INTEGER NOT NULL DEFAULT 1,\n"
    "  is_header INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX files_indexed ON files(indexed_at);\n"
    "CREATE TABLE scopes(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  qname TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL,\n"
    "  ns TEXT NOT NULL,\n"
    "  kind INTEGER NOT NULL DEFAULT 0);\n"
    "INSERT INTO scopes(id, qname, name, ns, kind) VALUES (0, '', '', '', 1);\n"
    "CREATE TABLE symbols(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  usr TEXT NOT NULL,\n"
    "  usr_key INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  scope_id INTEGER NOT NULL DEFAULT 0,\n"
    "  kind INTEGER NOT NULL,\n"
    "  is_project INTEGER NOT NULL DEFAULT 0,\n"
    "  file_id INTEGER,\n"
    "  line INTEGER,\n"
    "  col INTEGER,\n"
    "  loc_is_def INTEGER NOT NULL DEFAULT 0,\n"
    "  signature TEXT,\n"
    "  access INTEGER NOT NULL DEFAULT 0,\n"
    "  attrs INTEGER NOT NULL DEFAULT 0,\n"
    "  template_kind INTEGER NOT NULL DEFAULT 0,\n"
    "  template_params TEXT,\n"
    "  target TEXT,\n"
    "  brief TEXT,\n"
    "  doc TEXT,\n"
    "  created_at INTEGER NOT NULL,\n"
    "  updated_at INTEGER NOT NULL);\n"
    "CREATE INDEX symbols_usr ON symbols(usr_key);\n"
    "CREATE TABLE decls(\n"
    "  file_id INTEGER NOT NULL,\n"
    "  symbol_id INTEGER NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  col INTEGER NOT NULL,\n"
    "  is_def INTEGER NOT NULL,\n"
    "  end_line INTEGER NOT NULL,\n"
    "  end_col INTEGER NOT NULL,\n"
    "  ext_line INTEGER NOT NULL,\n"
    "  ext_col INTEGER NOT NULL,\n"
    "  PRIMARY KEY(file_id, symbol_id, line, col)) WITHOUT ROWID;\n"
    "CREATE INDEX decls_symbol ON decls(symbol_id, is_def);\n"
    "CREATE TABLE refs(\n"
    "  file_id INTEGER NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  col INTEGER NOT NULL,\n"
    "  symbol_id INTEGER NOT NULL,\n"
    "  roles INTEGER NOT NULL,\n"
    "  context_id INTEGER,\n"
    "  PRIMARY KEY(file_id, line, col, symbol_id)) WITHOUT ROWID;\n"
    "CREATE TABLE bases(\n"
    "  file_id INTEGER NOT NULL,\n"
    "  derived_id INTEGER NOT NULL,\n"
    "  base_id INTEGER NOT NULL,\n"
    "  access INTEGER NOT NULL,\n"
    "  is_virtual INTEGER NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  col INTEGER NOT NULL,\n"
    "  PRIMARY KEY(file_id, derived_id, base_id)) WITHOUT ROWID;\n"
    "CREATE INDEX bases_derived ON bases(derived_id);\n"
    "CREATE INDEX bases_base ON bases(base_id);\n"
    "CREATE TABLE overrides(\n"
    "  file_id INTEGER NOT NULL,\n"
    "  symbol_id INTEGER NOT NULL,\n"
    "  overridden_id INTEGER NOT NULL,\n"
    "  PRIMARY KEY(file_id, symbol_id, overridden_id)) WITHOUT ROWID;\n"
    "CREATE INDEX overrides_symbol ON overrides(symbol_id);\n"
    "CREATE INDEX overrides_overridden ON overrides(overridden_id);\n"
    "CREATE TABLE includes(\n"
    "  file_id INTEGER NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  included_id INTEGER NOT NULL,\n"
    "  PRIMARY KEY(file_id, line, included_id)) WITHOUT ROWID;\n"
    "CREATE TABLE header_tracker(\n"
    "  file_id INTEGER PRIMARY KEY,\n"
    "  processed_by INTEGER NOT NULL,\n"
    "  file_hash TEXT NOT NULL,\n"
    "  compile_commands_hash TEXT,\n"
    "  processed_at REAL NOT NULL);\n"
    "CREATE TABLE parse_errors(\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  file_id INTEGER NOT NULL,\n"
    "  error_type TEXT NOT NULL,\n"
    "  error_message TEXT NOT NULL,\n"
    "  stack_trace TEXT,\n"
    "  file_hash TEXT NOT NULL,\n"
    "  compile_args_hash TEXT,\n"
    "  retry_count INTEGER DEFAULT 0,\n"
    "  timestamp REAL NOT NULL);\n"
    "CREATE INDEX parse_errors_file ON parse_errors(file_id);\n"
    "CREATE INDEX parse_errors_time ON parse_errors(timestamp);\n"
    "CREATE TABLE query_stats(\n"
    "  kind TEXT PRIMARY KEY,\n"
    "  count INTEGER NOT NULL,\n"
    "  total_ns INTEGER NOT NULL,\n"
    "  max_ns INTEGER NOT NULL,\n"
    "  hist BLOB);\n"
    /* Only located symbols are searchable, so only they are indexed: placeholders (symbols
       known only from references) never reach the search index. */
    "CREATE VIEW symbols_fts_content AS\n"
    "  SELECT id, name FROM symbols WHERE file_id IS NOT NULL;\n" STORE_FTS_CREATE ";\n"
    /* The plan's tables as views, so its information stays queryable under its names. */
    "CREATE VIEW file_metadata AS\n"
    "  SELECT path AS file_path, hash AS file_hash, args_hash AS compile_args_hash,\n"
    "         indexed_at, symbol_count FROM files WHERE indexed_at > 0;\n"
    "CREATE VIEW plan_symbols AS\n"
    "  SELECT s.usr, s.name,\n"
    "    CASE s.kind WHEN 1 THEN 'namespace' WHEN 2 THEN 'class' WHEN 3 THEN 'struct'\n"
    "      WHEN 4 THEN 'union' WHEN 5 THEN 'enum' WHEN 6 THEN 'enum_constant'\n"
    "      WHEN 7 THEN 'function' WHEN 8 THEN 'method' WHEN 9 THEN 'constructor'\n"
    "      WHEN 10 THEN 'destructor' WHEN 11 THEN 'conversion' WHEN 12 THEN 'field'\n"
    "      WHEN 13 THEN 'variable' WHEN 14 THEN 'typedef' WHEN 15 THEN 'type_alias'\n"
    "      WHEN 16 THEN 'macro' WHEN 17 THEN 'concept' ELSE 'unknown' END AS kind,\n"
    "    f.path AS file, s.line, s.col AS \"column\",\n"
    "    replace(coalesce(s.signature, ''), char(29), CASE WHEN sc.qname = '' THEN s.name\n"
    "      ELSE sc.qname || '::' || s.name END) AS signature,\n"
    "    s.is_project, sc.ns AS namespace,\n"
    "    CASE s.access WHEN 2 THEN 'protected' WHEN 3 THEN 'private' ELSE 'public' END AS access,\n"
    "    CASE WHEN sc.kind IN (2, 3, 4) THEN sc.name ELSE '' END AS parent_class,\n"
    "    (SELECT json_group_array(b.name) FROM bases e JOIN symbols b ON b.id = e.base_id\n"
    "       WHERE e.derived_id = s.id) AS base_classes,\n"
    "    (SELECT json_group_array(DISTINCT t.usr) FROM refs r JOIN symbols t ON t.id = "
    "r.symbol_id\n"
    "       WHERE r.context_id = s.id AND r.roles & 16) AS calls,\n"
    "    (SELECT json_group_array(DISTINCT c.usr) FROM refs r JOIN symbols c ON c.id = "
    "r.context_id\n"
    "       WHERE r.symbol_id = s.id AND r.roles & 16) AS called_by,\n"
    "    s.created_at, s.updated_at\n"
    "  FROM symbols s JOIN scopes sc ON sc.id = s.scope_id LEFT JOIN files f ON f.id = s.file_id\n"
    "  WHERE s.file_id IS NOT NULL;\n";

/*
 * The usr index, as the schema creates it. A bulk load into an empty cache drops it: its bulk
 * cache answers every usr lookup, and building the index once at the end costs less than keeping
 * it through random inserts.
 */
const char store_usr_index_sql[] = "CREATE INDEX IF NOT EXISTS symbols_usr ON symbols(usr_key)";
const char store_drop_usr_index_sql[] = "DROP INDEX IF EXISTS symbols_usr";

/*
 * Schema v2: the call edges by callee, covering (a caller, its sites, in order), for the backward
 * walks of call paths and the callers of a function; without it each caller lookup reads every
 * reference of the function and sorts.
 */
#define REFS_CALLEE_INDEX_SQL                                                                      \
    "CREATE INDEX IF NOT EXISTS refs_callee ON refs(symbol_id, context_id, file_id, line, col,"    \
    " roles) WHERE roles & 16 AND context_id IS NOT NULL"
const char store_refs_callee_index_sql[] = REFS_CALLEE_INDEX_SQL;

/* Indexes that only reads need: bulk mode drops them and builds them once at the end. */
const char store_secondary_indexes_sql[] =
    "CREATE INDEX IF NOT EXISTS symbols_name ON symbols(is_project, name COLLATE NOCASE, kind,\n"
    "  scope_id, file_id) WHERE file_id IS NOT NULL;\n"
    "CREATE INDEX IF NOT EXISTS symbols_scope ON symbols(scope_id) WHERE file_id IS NOT NULL;\n"

    "CREATE INDEX IF NOT EXISTS refs_symbol ON refs(symbol_id);\n"
    "CREATE INDEX IF NOT EXISTS refs_caller ON refs(context_id, symbol_id) WHERE roles & "
    "16;\n" REFS_CALLEE_INDEX_SQL ";\n"
    "CREATE INDEX IF NOT EXISTS includes_included ON includes(included_id);\n";

const char store_drop_secondary_indexes_sql[] = "DROP INDEX IF EXISTS symbols_name;\n"
                                                "DROP INDEX IF EXISTS symbols_scope;\n"
                                                "DROP INDEX IF EXISTS symbols_file;\n"
                                                "DROP INDEX IF EXISTS refs_symbol;\n"
                                                "DROP INDEX IF EXISTS refs_caller;\n"
                                                "DROP INDEX IF EXISTS refs_callee;\n"
                                                "DROP INDEX IF EXISTS includes_included;\n";

/*
 * The FTS5 index follows symbols through these triggers, with the 'delete' command (a plain
 * DELETE on an external-content table would leave stale tokens). recursive_triggers is on for
 * every connection, so a REPLACE also goes through the delete trigger.
 */
const char store_fts_triggers_sql[] =
    "CREATE TRIGGER IF NOT EXISTS symbols_fts_ai AFTER INSERT ON symbols\n"
    "  WHEN new.file_id IS NOT NULL BEGIN\n"
    "  INSERT INTO symbols_fts(rowid, name) VALUES (new.id, new.name);\n"
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS symbols_fts_ad AFTER DELETE ON symbols\n"
    "  WHEN old.file_id IS NOT NULL BEGIN\n"
    "  INSERT INTO symbols_fts(symbols_fts, rowid, name) VALUES ('delete', old.id, old.name);\n"
    "END;\n"
    "CREATE TRIGGER IF NOT EXISTS symbols_fts_au AFTER UPDATE ON symbols\n"
    "  WHEN old.name IS NOT new.name OR old.id IS NOT new.id\n"
    "    OR (old.file_id IS NULL) <> (new.file_id IS NULL) BEGIN\n"
    "  INSERT INTO symbols_fts(symbols_fts, rowid, name)\n"
    "    SELECT 'delete', old.id, old.name WHERE old.file_id IS NOT NULL;\n"
    "  INSERT INTO symbols_fts(rowid, name)\n"
    "    SELECT new.id, new.name WHERE new.file_id IS NOT NULL;\n"
    "END;\n";

const char store_drop_fts_triggers_sql[] = "DROP TRIGGER IF EXISTS symbols_fts_ai;\n"
                                           "DROP TRIGGER IF EXISTS symbols_fts_ad;\n"
                                           "DROP TRIGGER IF EXISTS symbols_fts_au;\n";

/* The common filters of every search statement, with NULL / 0 meaning "no filter". */
#define SEARCH_FILTERS                                                                             \
    " AND s.file_id IS NOT NULL"                                                                   \
    " AND (?3 = 0 OR (?3 >> s.kind) & 1)"                                                          \
    " AND (?4 IS NULL OR s.scope_id IN (SELECT id FROM scopes WHERE ns = ?4))"                     \
    " AND (?5 IS NULL OR s.file_id IN (SELECT id FROM files WHERE path = ?5 OR"                    \
    "      (substr(path, -length(?5)) = ?5 AND substr(path, -length(?5) - 1, 1) = '/')))"          \
    " AND (?6 IS NULL OR s.scope_id = (SELECT id FROM scopes WHERE qname = ?6))"

/*
 * The qualified name of the symbol row s in its scope row sc ("ui::Widget::draw", or the bare
 * name at global scope); NULL when either row is missing. Every statement that shows a
 * qualified name builds it with this expression, so search and the dump cannot disagree.
 */
#define SQL_QNAME(s, sc)                                                                           \
    "CASE WHEN " sc ".qname = '' THEN " s ".name ELSE " sc ".qname || '::' || " s ".name END"
/* ... of the symbol s in its scope sc, the aliases most statements use */
#define SQL_QNAME_S SQL_QNAME("s", "sc")

/*
 * The dump (store_dump.c). DUMP_NORM replaces every occurrence of ?1 (the root; '' leaves the
 * text as it is) by "<root>". Every text a statement shows is normalized, and every section is
 * sorted on normalized columns only, down to a key unique per row, so neither ids nor the
 * root's spelling can change the order. Kept out of clang-format, which cannot lay out macro
 * calls between string pieces.
 */
#define DUMP_NORM(x) "replace(" x ", ?1, '<root>')"

/* clang-format off */
static const char dump_files_sql[] =
    "SELECT " DUMP_NORM("path") " AS p, hash, indexed_at > 0, is_project, is_header,"
    " symbol_count FROM files ORDER BY p";

static const char dump_symbols_sql[] =
    "SELECT " DUMP_NORM(SQL_QNAME_S) " AS q, s.kind, " DUMP_NORM("s.usr") " AS u,"
    " " DUMP_NORM("f.path") ", s.line, s.col, s.loc_is_def, s.is_project,"
    " " DUMP_NORM("sc.ns") ", s.access, s.attrs, " DUMP_NORM("s.signature") ","
    " s.template_kind, " DUMP_NORM("s.template_params") ", " DUMP_NORM("s.target") ","
    " " DUMP_NORM("s.brief") ", " DUMP_NORM("s.doc") ", s.file_id IS NULL"
    " FROM symbols s LEFT JOIN scopes sc ON sc.id = s.scope_id"
    " LEFT JOIN files f ON f.id = s.file_id"
    " ORDER BY q, s.kind, u";

static const char dump_decls_sql[] =
    "SELECT " DUMP_NORM("f.path") " AS p, d.line, d.col, d.end_line, d.end_col,"
    " d.ext_line, d.ext_col, d.is_def, " DUMP_NORM(SQL_QNAME_S) " AS q,"
    " " DUMP_NORM("s.usr") " AS u"
    " FROM decls d LEFT JOIN files f ON f.id = d.file_id"
    " LEFT JOIN symbols s ON s.id = d.symbol_id LEFT JOIN scopes sc ON sc.id = s.scope_id"
    " ORDER BY p, d.line, d.col, q, u";

static const char dump_refs_sql[] =
    "SELECT " DUMP_NORM("f.path") " AS p, r.line, r.col, " DUMP_NORM(SQL_QNAME_S) " AS q,"
    " " DUMP_NORM("s.usr") " AS u, r.roles, " DUMP_NORM(SQL_QNAME("c", "cs")) ","
    " " DUMP_NORM("c.usr")
    " FROM refs r LEFT JOIN files f ON f.id = r.file_id"
    " LEFT JOIN symbols s ON s.id = r.symbol_id LEFT JOIN scopes sc ON sc.id = s.scope_id"
    " LEFT JOIN symbols c ON c.id = r.context_id LEFT JOIN scopes cs ON cs.id = c.scope_id"
    " ORDER BY p, r.line, r.col, q, u";

static const char dump_bases_sql[] =
    "SELECT " DUMP_NORM(SQL_QNAME("d", "ds")) " AS dq, " DUMP_NORM("d.usr") " AS du,"
    " " DUMP_NORM(SQL_QNAME("b", "bs")) " AS bq, " DUMP_NORM("b.usr") " AS bu,"
    " e.access, e.is_virtual, " DUMP_NORM("f.path") " AS p, e.line, e.col"
    " FROM bases e LEFT JOIN files f ON f.id = e.file_id"
    " LEFT JOIN symbols d ON d.id = e.derived_id LEFT JOIN scopes ds ON ds.id = d.scope_id"
    " LEFT JOIN symbols b ON b.id = e.base_id LEFT JOIN scopes bs ON bs.id = b.scope_id"
    " ORDER BY dq, du, bq, bu, p, e.line, e.col";

static const char dump_overrides_sql[] =
    "SELECT " DUMP_NORM(SQL_QNAME("m", "ms")) " AS mq, " DUMP_NORM("m.usr") " AS mu,"
    " " DUMP_NORM(SQL_QNAME("o", "os")) " AS oq, " DUMP_NORM("o.usr") " AS ou,"
    " " DUMP_NORM("f.path") " AS p"
    " FROM overrides e LEFT JOIN files f ON f.id = e.file_id"
    " LEFT JOIN symbols m ON m.id = e.symbol_id LEFT JOIN scopes ms ON ms.id = m.scope_id"
    " LEFT JOIN symbols o ON o.id = e.overridden_id LEFT JOIN scopes os ON os.id = o.scope_id"
    " ORDER BY mq, mu, oq, ou, p";

static const char dump_includes_sql[] =
    "SELECT " DUMP_NORM("f.path") " AS p, i.line, " DUMP_NORM("g.path") " AS ip"
    " FROM includes i LEFT JOIN files f ON f.id = i.file_id"
    " LEFT JOIN files g ON g.id = i.included_id"
    " ORDER BY p, i.line, ip";

static const char dump_headers_sql[] =
    "SELECT " DUMP_NORM("f.path") " AS p, h.file_hash"
    " FROM header_tracker h LEFT JOIN files f ON f.id = h.file_id"
    " ORDER BY p, h.file_hash";

static const char dump_errors_sql[] =
    "SELECT " DUMP_NORM("f.path") " AS p, e.error_type,"
    " " DUMP_NORM("e.error_message") " AS m, e.retry_count"
    " FROM parse_errors e LEFT JOIN files f ON f.id = e.file_id"
    " ORDER BY p, e.error_type, m, e.retry_count";
/* base_classes (store_legacy_out.c): each base by its qualified name, in declaration order */
static const char legacy_bases_sql[] =
    "SELECT e.derived_id, " SQL_QNAME("b", "bs") " FROM bases e"
    " JOIN symbols b ON b.id = e.base_id JOIN scopes bs ON bs.id = b.scope_id"
    " ORDER BY e.derived_id, e.file_id, e.line, e.col, 2";
/* clang-format on */

/* STORE_INSERT_MANY (32) rows of 6 and of 9 parameters */
#define ROW6 "(?,?,?,?,?,?)"
#define ROW6X4 ROW6 "," ROW6 "," ROW6 "," ROW6
#define ROW6X16 ROW6X4 "," ROW6X4 "," ROW6X4 "," ROW6X4
/* A whole symbol row with its id (STMT_SYM_ROW, STMT_SYM_ROWS; store_write.c bind_symrow). */
#define SYM_ROW_COLUMNS                                                                            \
    "id, usr, usr_key, name, scope_id, kind, is_project, file_id, line, col, signature, access,"   \
    " attrs, template_kind, template_params, target, brief, doc, created_at, updated_at,"          \
    " loc_is_def"
#define ROW21 "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define ROW21X4 ROW21 "," ROW21 "," ROW21 "," ROW21
#define ROW21X16 ROW21X4 "," ROW21X4 "," ROW21X4 "," ROW21X4
#define ROW9 "(?,?,?,?,?,?,?,?,?)"
#define ROW9X4 ROW9 "," ROW9 "," ROW9 "," ROW9
/* A declaration and a definition of one symbol at one position (a macro expanding to both) are
 * one row: the definition, so that the symbol's best location is always one of its rows. */
#define DECL_UPSERT                                                                                \
    " ON CONFLICT(file_id, symbol_id, line, col) DO UPDATE SET is_def = 1,"                        \
    " end_line = excluded.end_line, end_col = excluded.end_col, ext_line = excluded.ext_line,"     \
    " ext_col = excluded.ext_col WHERE excluded.is_def > decls.is_def"
#define ROW9X16 ROW9X4 "," ROW9X4 "," ROW9X4 "," ROW9X4

const char *const store_stmt_sql[STMT_COUNT_] = {
    [STMT_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [STMT_BEGIN_READ] = "BEGIN",
    [STMT_COMMIT] = "COMMIT",
    [STMT_META_GET] = "SELECT value FROM cache_metadata WHERE key = ?1",
    [STMT_META_SET] = "INSERT INTO cache_metadata(key, value, updated_at) VALUES (?1, ?2, ?3)"
                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                      " updated_at = excluded.updated_at",
    [STMT_FILE_ID] = "SELECT id FROM files WHERE path = ?1",
    [STMT_FILE_INSERT] = "INSERT INTO files(path, hash, args_hash, mtime_ns, size, indexed_at,"
                         " is_project, is_header) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [STMT_FILE_UPDATE] = "UPDATE files SET hash = ?2, args_hash = ?3, mtime_ns = ?4, size = ?5,"
                         " indexed_at = ?6, is_project = ?7, is_header = ?8, symbol_count = ?9"
                         " WHERE id = ?1",
    [STMT_FILE_GET] = "SELECT path, hash, args_hash, mtime_ns, size, indexed_at, symbol_count,"
                      " is_project, is_header FROM files WHERE path = ?1 AND indexed_at > 0",
    [STMT_FILE_DELETE] = "DELETE FROM files WHERE id = ?1",
    [STMT_FILE_SYMCOUNT] = "UPDATE files SET hash = '', args_hash = NULL, indexed_at = 0,"
                           " symbol_count = 0, mtime_ns = 0, size = 0 WHERE id = ?1",
    [STMT_FILE_SET_SYMCOUNT] = "UPDATE files SET symbol_count = ?2 WHERE id = ?1",
    [STMT_SCOPE_ID] = "SELECT id FROM scopes WHERE qname = ?1",
    [STMT_SCOPE_INSERT] = "INSERT INTO scopes(qname, name, ns, kind) VALUES (?1, ?2, ?3, ?4)",
    [STMT_SYM_BY_KEY] = "SELECT id, usr FROM symbols WHERE usr_key = ?1",
    [STMT_SYM_USR] = "SELECT usr FROM symbols WHERE id = ?1",
    [STMT_SYM_INSERT] =
        "INSERT INTO symbols(id, usr, usr_key, name, scope_id, kind, is_project, file_id, line,"
        " col, signature, access, attrs, template_kind, template_params, target, brief, doc,"
        " created_at, updated_at, loc_is_def)"
        " VALUES (?20, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
        " ?17, coalesce(?21, ?18), ?18, ?19)",
    [STMT_SYM_UPDATE_PROPS] =
        "UPDATE symbols SET name = ?2, scope_id = ?3, kind = ?4, signature = ?5, access = ?6,"
        " attrs = ?7, template_kind = ?8, template_params = ?9, target = ?10,"
        " brief = coalesce(?11, brief), doc = coalesce(?12, doc), updated_at = ?13 WHERE id = ?1",
    [STMT_SYM_UPDATE_DOCS] = "UPDATE symbols SET brief = coalesce(?2, brief),"
                             " doc = coalesce(?3, doc) WHERE id = ?1 AND"
                             " (?2 IS NOT NULL OR ?3 IS NOT NULL)",
    [STMT_SYM_HAS_DEF] = "SELECT 1 FROM decls WHERE symbol_id = ?1 AND is_def = 1 LIMIT 1",
    [STMT_SYM_BEST_DECL] = "SELECT d.file_id, d.line, d.col, f.is_project, d.is_def FROM decls d"
                           " JOIN files f ON f.id = d.file_id WHERE d.symbol_id = ?1"
                           " ORDER BY d.is_def DESC, f.path, d.line, d.col LIMIT 1",
    [STMT_SYM_SET_LOCATION] = "UPDATE symbols SET file_id = ?2, line = ?3, col = ?4,"
                              " is_project = ?5, loc_is_def = ?6 WHERE id = ?1 AND"
                              " (file_id IS NOT ?2 OR line IS NOT ?3 OR col IS NOT ?4 OR"
                              " is_project IS NOT ?5 OR loc_is_def IS NOT ?6)",
    [STMT_SYM_CLEAR_LOCATION] = "UPDATE symbols SET file_id = NULL, line = NULL, col = NULL,"
                                " is_project = 0, loc_is_def = 0 WHERE id = ?1 AND"
                                " file_id IS NOT NULL",
    [STMT_SYM_IS_REFERENCED] = "SELECT EXISTS(SELECT 1 FROM refs WHERE symbol_id = ?1)"
                               " OR EXISTS(SELECT 1 FROM refs WHERE context_id = ?1 AND roles & 16)"
                               " OR EXISTS(SELECT 1 FROM bases WHERE base_id = ?1)"
                               " OR EXISTS(SELECT 1 FROM bases WHERE derived_id = ?1)"
                               " OR EXISTS(SELECT 1 FROM overrides WHERE symbol_id = ?1)"
                               " OR EXISTS(SELECT 1 FROM overrides WHERE overridden_id = ?1)",
    [STMT_SYM_DELETE] = "DELETE FROM symbols WHERE id = ?1",
    [STMT_LOAD_FILE] = "INSERT INTO files(id, path, hash, args_hash, mtime_ns, size, indexed_at,"
                       " symbol_count, is_project, is_header)"
                       " VALUES (?1, ?2, ?3, ?4, 0, 0, ?5, ?6, ?7, ?8)",
    [STMT_SYM_ROW] = "INSERT INTO symbols(" SYM_ROW_COLUMNS ") VALUES " ROW21,
    [STMT_SYM_ROWS] = "INSERT INTO symbols(" SYM_ROW_COLUMNS ") VALUES " ROW21X16,
    [STMT_DECL_INSERT] = "INSERT INTO decls(file_id, symbol_id, line, col, is_def,"
                         " end_line, end_col, ext_line, ext_col)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" DECL_UPSERT,
    [STMT_REF_INSERT] = "INSERT INTO refs(file_id, line, col, symbol_id, roles, context_id)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET"
                        " roles = roles | excluded.roles,"
                        " context_id = coalesce(context_id, excluded.context_id)",
    [STMT_REF_INSERT_MANY] = "INSERT INTO refs(file_id, line, col, symbol_id, roles, context_id)"
                             " VALUES " ROW6X16 "," ROW6X16 " ON CONFLICT DO UPDATE SET"
                             " roles = roles | excluded.roles,"
                             " context_id = coalesce(context_id, excluded.context_id)",
    [STMT_DECL_INSERT_MANY] =
        "INSERT INTO decls(file_id, symbol_id, line, col, is_def,"
        " end_line, end_col, ext_line, ext_col) VALUES " ROW9X16 "," ROW9X16 DECL_UPSERT,
    [STMT_REF_INSERT_FEW] = "INSERT INTO refs(file_id, line, col, symbol_id, roles, context_id)"
                            " VALUES " ROW6X4 " ON CONFLICT DO UPDATE SET"
                            " roles = roles | excluded.roles,"
                            " context_id = coalesce(context_id, excluded.context_id)",
    [STMT_DECL_INSERT_FEW] = "INSERT INTO decls(file_id, symbol_id, line, col, is_def,"
                             " end_line, end_col, ext_line, ext_col) VALUES " ROW9X4 DECL_UPSERT,
    [STMT_BASE_INSERT] = "INSERT OR IGNORE INTO bases(file_id, derived_id, base_id, access,"
                         " is_virtual, line, col) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [STMT_OVERRIDE_INSERT] = "INSERT OR IGNORE INTO overrides(file_id, symbol_id, overridden_id)"
                             " VALUES (?1, ?2, ?3)",
    [STMT_INCLUDE_INSERT] = "INSERT OR IGNORE INTO includes(file_id, line, included_id)"
                            " VALUES (?1, ?2, ?3)",
    [STMT_TOUCH_FROM_FILE] =
        "INSERT OR IGNORE INTO temp.touched(id)"
        " SELECT symbol_id FROM decls WHERE file_id = ?1"
        " UNION SELECT symbol_id FROM refs WHERE file_id = ?1"
        " UNION SELECT context_id FROM refs WHERE file_id = ?1 AND context_id IS NOT NULL"
        " UNION SELECT derived_id FROM bases WHERE file_id = ?1"
        " UNION SELECT base_id FROM bases WHERE file_id = ?1"
        " UNION SELECT symbol_id FROM overrides WHERE file_id = ?1"
        " UNION SELECT overridden_id FROM overrides WHERE file_id = ?1",
    [STMT_TOUCH_ADD] = "INSERT OR IGNORE INTO temp.touched(id) VALUES (?1)",
    [STMT_TOUCH_LIST] = "SELECT id FROM temp.touched ORDER BY id",
    [STMT_TOUCH_CLEAR] = "DELETE FROM temp.touched",
    [STMT_DEL_DECLS] = "DELETE FROM decls WHERE file_id = ?1",
    [STMT_DEL_REFS] = "DELETE FROM refs WHERE file_id = ?1",
    [STMT_DEL_BASES] = "DELETE FROM bases WHERE file_id = ?1",
    [STMT_DEL_OVERRIDES] = "DELETE FROM overrides WHERE file_id = ?1",
    [STMT_DEL_INCLUDES] = "DELETE FROM includes WHERE file_id = ?1",
    [STMT_DEL_HEADER_TRACK] = "DELETE FROM header_tracker WHERE file_id = ?1",
    [STMT_FILE_HAS_DEPENDENTS] = "SELECT EXISTS(SELECT 1 FROM includes WHERE included_id = ?1)"
                                 " OR EXISTS(SELECT 1 FROM parse_errors WHERE file_id = ?1)",
    [STMT_PERR_INSERT] = "INSERT INTO parse_errors(file_id, error_type, error_message,"
                         " stack_trace, file_hash, compile_args_hash, retry_count, timestamp)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [STMT_PERR_CLEAR] = "DELETE FROM parse_errors WHERE file_id = ?1",
    [STMT_HEADER_CLAIM] =
        "INSERT INTO header_tracker(file_id, processed_by, file_hash, compile_commands_hash,"
        " processed_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(file_id) DO UPDATE SET"
        " processed_by = excluded.processed_by, file_hash = excluded.file_hash,"
        " compile_commands_hash = excluded.compile_commands_hash,"
        " processed_at = excluded.processed_at",
    [STMT_SEARCH_EXACT_COUNT] =
        "SELECT count(*) FROM symbols s WHERE s.is_project = ?1 AND"
        " s.name = ?2 COLLATE NOCASE AND (?7 = 0 OR s.name = ?2)" SEARCH_FILTERS,
    [STMT_SEARCH_EXACT_PAGE] =
        "SELECT s.id FROM symbols s WHERE s.is_project = ?1 AND"
        " s.name = ?2 COLLATE NOCASE AND (?7 = 0 OR s.name = ?2)" SEARCH_FILTERS
        " ORDER BY s.name COLLATE NOCASE, s.id"
        " LIMIT ?9 OFFSET ?10",
    [STMT_SEARCH_PREFIX_COUNT] =
        "SELECT count(*) FROM symbols s"
        " WHERE s.is_project = ?1 AND s.name COLLATE NOCASE >= ?2 AND"
        " s.name COLLATE NOCASE < ?11 AND (?7 = 0 OR substr(s.name, 1, length(?2)) = ?2)"
        " AND (?8 IS NULL OR NOT (s.name = ?8 COLLATE NOCASE AND (?7 = 0 OR s.name = "
        "?8)))" SEARCH_FILTERS,
    [STMT_SEARCH_PREFIX_PAGE] =
        "SELECT s.id FROM symbols s"
        " WHERE s.is_project = ?1 AND s.name COLLATE NOCASE >= ?2 AND"
        " s.name COLLATE NOCASE < ?11 AND (?7 = 0 OR substr(s.name, 1, length(?2)) = ?2)"
        " AND (?8 IS NULL OR NOT (s.name = ?8 COLLATE NOCASE AND (?7 = 0 OR s.name = "
        "?8)))" SEARCH_FILTERS " ORDER BY s.name COLLATE NOCASE, s.id LIMIT ?9 OFFSET ?10",
    [STMT_SEARCH_FTS] =
        "SELECT s.id, s.is_project, s.name FROM symbols_fts"
        " JOIN symbols s ON s.id = symbols_fts.rowid"
        " WHERE symbols_fts MATCH ?1 AND (?2 = 1 OR s.is_project = 1)" SEARCH_FILTERS,
    [STMT_SEARCH_ALL_NAMES] = "SELECT s.id, s.is_project, s.name FROM symbols s"
                              " WHERE ?1 IS NULL AND (?2 = 1 OR s.is_project = 1)" SEARCH_FILTERS,
    [STMT_SEARCH_QUALIFIED] = "SELECT s.id, s.is_project, s.name, sc.qname FROM symbols s"
                              " JOIN scopes sc ON sc.id = s.scope_id WHERE s.is_project = ?1 AND"
                              " s.name = ?2 COLLATE NOCASE" SEARCH_FILTERS,
    /* Rows of a page in one statement each: ?1 is a JSON array of ids, j.key their position. */
    [STMT_SEARCH_ROW] =
        "SELECT j.key, s.id, s.usr, s.name, " SQL_QNAME_S ","
        " s.signature, sc.ns, sc.qname, s.kind, s.access, s.template_kind, s.attrs,"
        " s.is_project, f.path, s.line, s.col, s.brief, s.doc, s.template_params, s.loc_is_def"
        " FROM json_each(?1) j JOIN symbols s ON s.id = j.value"
        " JOIN scopes sc ON sc.id = s.scope_id LEFT JOIN files f ON f.id = s.file_id",
    [STMT_SEARCH_DECLS] = "SELECT j.key, f.path, d.is_def, d.line, d.col, d.end_line, d.end_col"
                          " FROM json_each(?1) j JOIN decls d ON d.symbol_id = j.value"
                          " JOIN files f ON f.id = d.file_id",
    [STMT_QSTAT_GET] = "SELECT count, total_ns, max_ns, hist FROM query_stats WHERE kind = ?1",
    [STMT_QSTAT_MERGE] =
        "INSERT INTO query_stats(kind, count, total_ns, max_ns, hist) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(kind) DO UPDATE SET count = excluded.count, total_ns = excluded.total_ns,"
        " max_ns = excluded.max_ns, hist = excluded.hist",
    /* File records (store_files.c): only indexed files, as store_file_get sees them. */
    [STMT_FILE_EACH] = "SELECT path, hash, args_hash, mtime_ns, size, indexed_at, symbol_count,"
                       " is_project, is_header FROM files WHERE indexed_at > 0 ORDER BY path",
    [STMT_FILE_TOUCH] =
        "UPDATE files SET mtime_ns = ?2, size = ?3 WHERE path = ?1 AND indexed_at > 0",
    /* One level of the reverse include graph: the includers of a JSON array of file ids. The IN
       list is a lookup table of its own, so without includes_included (bulk mode) a level is one
       scan of includes rather than one per id. */
    [STMT_FILE_INCLUDERS] = "SELECT DISTINCT f.id, f.path FROM includes i JOIN files f ON f.id ="
                            " i.file_id WHERE i.included_id IN (SELECT value FROM json_each(?1))"
                            " ORDER BY f.path",
    [STMT_ORPHAN_HEADERS] = "SELECT path FROM files WHERE is_header = 1 AND id NOT IN"
                            " (SELECT included_id FROM includes) ORDER BY path",
    /* Code queries (store_query*.c). Resolution: the exact-name range of symbols_name, the
       qualified suffix checked in C. */
    [STMT_Q_SYM_BY_NAME] = "SELECT s.id, s.name, sc.qname, s.kind FROM symbols s"
                           " JOIN scopes sc ON sc.id = s.scope_id WHERE s.is_project = ?1 AND"
                           " s.name = ?2 COLLATE NOCASE AND s.file_id IS NOT NULL AND"
                           " (?3 = 0 OR (?3 >> s.kind) & 1)",
    /* Placeholders are in no name index: a scan, run only when nothing declared matched. */
    [STMT_Q_SYM_PLACEHOLDER] = "SELECT s.id, s.name, sc.qname, s.kind FROM symbols s"
                               " JOIN scopes sc ON sc.id = s.scope_id WHERE s.file_id IS NULL AND"
                               " s.name = ?2 COLLATE NOCASE AND (?3 = 0 OR (?3 >> s.kind) & 1)"
                               " LIMIT 1000",
    /* Symbol rows by a JSON array of ids (?1); j.key is the position in the array. */
    [STMT_Q_SYMBOLS] =
        "SELECT j.key, s.id, s.usr, s.name, " SQL_QNAME_S ", s.signature, sc.ns, sc.qname,"
        " s.kind, s.access, s.template_kind, s.attrs, s.is_project, f.path, s.line, s.col,"
        " s.loc_is_def, s.brief, s.doc, s.template_params, s.target, sc.kind, s.scope_id"
        " FROM json_each(?1) j JOIN symbols s ON s.id = j.value"
        " JOIN scopes sc ON sc.id = s.scope_id LEFT JOIN files f ON f.id = s.file_id",
    /* Declarations of one symbol, the definitions first, each group in (path, line) order. */
    [STMT_Q_DECLS] = "SELECT f.path, d.is_def, d.line, d.col, d.end_line, d.end_col, d.ext_line,"
                     " d.ext_col, d.file_id, f.hash FROM decls d JOIN files f ON f.id = d.file_id"
                     " WHERE d.symbol_id = ?1 ORDER BY d.is_def DESC, f.path, d.line, d.col",
    /* Members of a scope (?1), in the order they are declared in the parent's file (?2). */
    [STMT_Q_CHILDREN] = "SELECT s.id, s.kind FROM symbols s WHERE s.scope_id = ?1 AND"
                        " s.file_id IS NOT NULL ORDER BY coalesce((SELECT min(d.line * 65536 +"
                        " min(d.col, 65535)) FROM decls d WHERE d.file_id = ?2 AND"
                        " d.symbol_id = s.id), 1 << 50), s.file_id, s.line, s.col, s.id",
    /* "+s.scope_id": the name range, not the scope (the global scope holds thousands) */
    [STMT_Q_OVERLOADS] = "SELECT s.id FROM symbols s WHERE s.is_project IN (0, 1) AND"
                         " s.name = ?1 COLLATE NOCASE AND s.name = ?1 AND +s.scope_id = ?2 AND"
                         " s.file_id IS NOT NULL AND s.id <> ?3 AND (?4 >> s.kind) & 1"
                         " ORDER BY s.file_id, s.line, s.col, s.id",
    [STMT_Q_OVERRIDES] = "SELECT DISTINCT overridden_id FROM overrides WHERE symbol_id = ?1",
    [STMT_Q_OVERRIDDEN_BY] = "SELECT DISTINCT symbol_id FROM overrides WHERE overridden_id = ?1",
    [STMT_Q_BASES] = "SELECT e.base_id, e.access, e.is_virtual FROM bases e"
                     " WHERE e.derived_id = ?1 ORDER BY e.file_id, e.line, e.col, e.base_id",
    [STMT_Q_DERIVED] = "SELECT e.derived_id, e.access, e.is_virtual FROM bases e"
                       " WHERE e.base_id = ?1 ORDER BY e.file_id, e.line, e.col, e.derived_id",
    [STMT_Q_FILE_BY_PATH] = "SELECT id, path, hash FROM files WHERE path = ?1",
    [STMT_Q_FILE_BY_SUFFIX] = "SELECT id, path, hash FROM files WHERE indexed_at > 0 AND"
                              " substr(path, -length(?1)) = ?1 AND"
                              " substr(path, -length(?1) - 1, 1) = '/' ORDER BY path LIMIT 51",
    /* A file's declarations in extent order (outline). */
    [STMT_Q_FILE_DECLS] =
        "SELECT d.symbol_id, d.line, d.col, d.end_line, d.end_col, d.ext_line, d.ext_col,"
        " d.is_def, s.name, " SQL_QNAME_S ", s.kind, s.usr, s.signature, s.access, s.attrs"
        " FROM decls d JOIN symbols s ON s.id = d.symbol_id JOIN scopes sc ON sc.id = s.scope_id"
        " WHERE d.file_id = ?1 ORDER BY CASE WHEN d.ext_line > 0 THEN d.ext_line ELSE d.line END,"
        " CASE WHEN d.ext_line > 0 THEN d.ext_col ELSE d.col END, d.line, d.col, d.symbol_id",
    [STMT_Q_FILE_INCLUDES] = "SELECT i.line, g.path FROM includes i JOIN files g ON"
                             " g.id = i.included_id WHERE i.file_id = ?1 ORDER BY i.line, g.path",
    /* Calls of a symbol (?1); with ?2 only virtual ones (through a method the target overrides). */
    [STMT_Q_CALLERS] = "SELECT r.context_id, r.roles, f.path, r.line, r.col FROM refs r"
                       " JOIN files f ON f.id = r.file_id WHERE r.symbol_id = ?1 AND"
                       " r.roles & 16 AND (?2 = 0 OR r.roles & 128)"
                       " ORDER BY f.path, r.line, r.col",
    /* Calls made by a function (?1): the partial index refs_caller. */
    [STMT_Q_CALLEES] = "SELECT r.symbol_id, r.roles, f.path, r.line, r.col FROM refs r"
                       " JOIN files f ON f.id = r.file_id WHERE r.context_id = ?1 AND r.roles & 16"
                       " ORDER BY f.path, r.line, r.col, r.symbol_id",
    /* The callers of ?1 with their sites, for the path search's backward walk. */
    [STMT_Q_CALLER_EDGES] = "SELECT r.context_id, r.file_id, r.line, r.col FROM refs r"
                            " WHERE r.symbol_id = ?1 AND r.roles & 16 AND r.context_id IS NOT NULL"
                            " ORDER BY r.context_id, r.file_id, r.line, r.col",
    [STMT_Q_FILE_PATH] = "SELECT path FROM files WHERE id = ?1",
    /* References of ?1: uses (refs) and declarations (decls, as roles 1 and 2), filtered by a
       role mask (?2, 0 = all) and a JSON array of file ids (?3, NULL = all). */
    [STMT_Q_REFS_COUNT] =
        "SELECT (SELECT count(*) FROM refs r WHERE r.symbol_id = ?1 AND (?2 = 0 OR r.roles & ?2)"
        " AND (?3 IS NULL OR r.file_id IN (SELECT value FROM json_each(?3))))"
        " + (SELECT count(*) FROM decls d WHERE d.symbol_id = ?1 AND"
        " (?2 = 0 OR ?2 & (1 + d.is_def)) AND"
        " (?3 IS NULL OR d.file_id IN (SELECT value FROM json_each(?3))))",
    [STMT_Q_REFS_PAGE] =
        "SELECT f.path, x.line, x.col, x.roles, x.context_id FROM ("
        " SELECT r.file_id, r.line, r.col, r.roles, r.context_id FROM refs r"
        " WHERE r.symbol_id = ?1 AND (?2 = 0 OR r.roles & ?2)"
        " AND (?3 IS NULL OR r.file_id IN (SELECT value FROM json_each(?3)))"
        " UNION ALL SELECT d.file_id, d.line, d.col, 1 + d.is_def, NULL FROM decls d"
        " WHERE d.symbol_id = ?1 AND (?2 = 0 OR ?2 & (1 + d.is_def))"
        " AND (?3 IS NULL OR d.file_id IN (SELECT value FROM json_each(?3)))"
        ") x JOIN files f ON f.id = x.file_id ORDER BY f.path, x.line, x.col, x.roles & 3 DESC"
        " LIMIT ?4 OFFSET ?5",
    [STMT_DUMP_FILES] = dump_files_sql,
    [STMT_DUMP_SYMBOLS] = dump_symbols_sql,
    [STMT_DUMP_DECLS] = dump_decls_sql,
    [STMT_DUMP_REFS] = dump_refs_sql,
    [STMT_DUMP_BASES] = dump_bases_sql,
    [STMT_DUMP_OVERRIDES] = dump_overrides_sql,
    [STMT_DUMP_INCLUDES] = dump_includes_sql,
    [STMT_DUMP_HEADERS] = dump_headers_sql,
    [STMT_DUMP_ERRORS] = dump_errors_sql,
    /* The legacy JSON shape (store_legacy_out.c): the symbols the format has kinds for (class,
       struct, function, method, constructor, destructor, conversion), their scope split into
       namespace and parent class in C, and the signature expanded as plan_symbols does. */
    [STMT_LEGACY_SYMBOLS] =
        "SELECT s.id, s.usr, s.name, s.kind, f.path, s.line, s.col,"
        " replace(coalesce(s.signature, ''), char(29), " SQL_QNAME_S "),"
        " s.is_project, sc.ns, sc.qname, sc.kind, s.access"
        " FROM symbols s JOIN scopes sc ON sc.id = s.scope_id JOIN files f ON f.id = s.file_id"
        " WHERE s.kind IN (2, 3, 7, 8, 9, 10, 11)",
    /* base_classes: each base by its qualified name, in declaration order */
    [STMT_LEGACY_BASES] = legacy_bases_sql,
    /* calls and called_by: every call reference with a caller, by ids (the usrs of the
       symbols the export does not list come from STMT_LEGACY_USR) */
    [STMT_LEGACY_CALLS] = "SELECT context_id, symbol_id FROM refs"
                          " WHERE roles & 16 AND context_id IS NOT NULL",
    [STMT_LEGACY_USR] = "SELECT usr FROM symbols WHERE id = ?1",
    [STMT_LEGACY_FILES] = "SELECT path, hash, args_hash, is_header, indexed_at FROM files"
                          " WHERE indexed_at > 0 ORDER BY path",
    [STMT_LEGACY_HEADERS] = "SELECT f.path, h.file_hash FROM header_tracker h"
                            " JOIN files f ON f.id = h.file_id ORDER BY f.path",
    [STMT_LEGACY_ERRORS] = "SELECT f.path, e.error_type, e.error_message, e.stack_trace,"
                           " e.file_hash, e.compile_args_hash, e.retry_count, e.timestamp"
                           " FROM parse_errors e JOIN files f ON f.id = e.file_id ORDER BY e.id",
};
