/*
 * idx_wire.h - the pipe protocol between the indexer (parent) and its parse workers.
 *
 * Both directions carry frames: a 4-byte little-endian payload length, then the payload, whose
 * first byte is the frame type. Fields follow in a fixed order per type: u32, u64 (little
 * endian) and strings (u32 length, the bytes, a NUL; length 0xffffffff is NULL). Strings are
 * NUL-terminated inside the frame so the reader hands out pointers into it without copying.
 * Both ends are the same binary, but the reader still checks every length: a short or
 * malformed frame is an error, never an out-of-bounds read.
 *
 * Parent -> worker: TASK (one translation unit), QUIT.
 * Worker -> parent, per task: FILE records (the files the task touched that the worker reports,
 * numbered from 0 within the task), then SYM/REF/BASE/OVR/INC/DIAG records that name a file
 * number, then DONE. A worker that dies or goes silent past the time limit is the parent's
 * problem (it kills it, records the file, retries).
 */
#ifndef CIDX_IDX_WIRE_H
#define CIDX_IDX_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* The largest frame either side accepts (a huge generated header can make a big one). */
#define WIRE_MAX_FRAME ((uint32_t)256 << 20)

enum wire_type {
    WIRE_TASK = 'T', /* u32 task id, u32 flags, str directory, str file, u32 argc, argc x str,
                        u32 n, n x str: headers the indexer has closed since the last task */
    WIRE_QUIT = 'Q',
    WIRE_FILE = 'F', /* u32 no, str path, str hash, u64 mtime_ns, u64 size, u32 flags */
    WIRE_SYM = 'S',  /* field order: src/worker/worker.c put_symbol, src/index/idx_run.c decode */
    WIRE_REF = 'R',
    WIRE_BASE = 'B',
    WIRE_OVR = 'O',
    WIRE_INC = 'I',  /* u32 file no, u32 line, u32 included file no */
    WIRE_DIAG = 'G', /* u32 severity, str path, u32 line, u32 col, str message */
    WIRE_DOC = 'C',  /* u32 file no, u32 symbol index in that file, str brief, str doc */
    WIRE_DONE = 'D', /* u32 task id, u32 status, str message, u64 parse_us, u64 maxrss_kb */
};

/* WIRE_TASK flags. */
enum {
    WIRE_TASK_INDEX_DEPS = 1 << 0, /* report files outside the project (dependencies) */
};

/* WIRE_FILE flags. */
enum {
    WIRE_FILE_MAIN = 1 << 0,   /* the translation unit's source */
    WIRE_FILE_SYSTEM = 1 << 1, /* a system header */
    WIRE_FILE_DEP = 1 << 2,    /* a dependency (outside the project or in a dependency dir) */
};

/* WIRE_DONE status. */
enum {
    WIRE_DONE_OK = 0,     /* parsed (maybe with errors; see DIAG records) */
    WIRE_DONE_FAILED = 1, /* libclang could not make a translation unit; message says why */
    WIRE_DONE_IO = 2,     /* the source or the command's directory cannot be read */
};

/* ---- writing: frames accumulate in a strbuf ---- */
size_t wire_begin(struct strbuf *sb, enum wire_type type);
void wire_end(struct strbuf *sb, size_t start);
void wire_u32(struct strbuf *sb, uint32_t v);
void wire_u64(struct strbuf *sb, uint64_t v);
void wire_str(struct strbuf *sb, const char *s);
void wire_strn(struct strbuf *sb, const char *s, size_t n);

/* ---- reading one frame's payload ---- */
struct wire_reader {
    const unsigned char *p, *end;
    bool bad; /* set on the first short or malformed field; later reads return 0 / NULL */
};
void wire_reader_init(struct wire_reader *r, const void *payload, size_t len);
uint32_t wire_get_u32(struct wire_reader *r);
uint64_t wire_get_u64(struct wire_reader *r);
/* Pointer into the payload (NUL-terminated) or NULL for a NULL string or on error. */
const char *wire_get_str(struct wire_reader *r);

/*
 * Incremental frame extraction from a byte stream: feed what read() returned, then take
 * complete frames. A frame longer than WIRE_MAX_FRAME or of length 0 makes wire_next fail.
 */
struct wire_stream {
    struct strbuf buf;
    size_t off; /* start of the unconsumed bytes */
};
void wire_stream_init(struct wire_stream *ws);
void wire_stream_release(struct wire_stream *ws);
void wire_stream_feed(struct wire_stream *ws, const void *data, size_t len);
/* 1 and the payload (valid until the next feed/next call) when a frame is complete, 0 when more
 * bytes are needed, -1 on a malformed stream. */
int wire_next(struct wire_stream *ws, const unsigned char **payload, size_t *len);

/* Writes all of buf to fd (retrying on EINTR and short writes). 0 or -1 with errno. */
int wire_write_all(int fd, const void *buf, size_t len);

#endif
