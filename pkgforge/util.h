/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_UTIL_H
#define PF_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#define PF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that cannot fail: out of memory aborts with a message. */
void *pf_malloc(size_t n);
void *pf_calloc(size_t n, size_t size);
void *pf_realloc(void *p, size_t n);
char *pf_strdup(const char *s);
char *pf_strndup(const char *s, size_t n);
char *pf_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "dir/name", newly allocated: pf_asprintf("%s/%s") without the format
 * engine, for loops over thousands of files. */
char *pf_path_join(const char *dir, const char *name);

/* Grow *arr so that it holds at least n elements of size sz (amortised). */
#define PF_ALLOC_GROW(arr, n, alloc)                                        \
	do {                                                                \
		if ((n) > (alloc)) {                                        \
			size_t pf_new_ = (alloc) ? (alloc) * 2 : 16;        \
			while (pf_new_ < (n))                               \
				pf_new_ *= 2;                               \
			(arr) = pf_realloc((arr), pf_new_ * sizeof(*(arr))); \
			(alloc) = pf_new_;                                  \
		}                                                           \
	} while (0)

bool pf_starts_with(const char *s, const char *prefix);
bool pf_ends_with(const char *s, const char *suffix);

/* Write all of buf to fd, retrying on EINTR and short writes. */
int pf_write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes at offset off; -1 with errno on failure or EOF. */
int pf_pread_all(int fd, void *buf, size_t len, off_t off);

/* Copy len bytes from in (at offset in_off) to the current position of out. */
int pf_copy_range(int in, off_t in_off, int out, uint64_t len);

/* An integer of bytes bytes, least significant first (strbuf_add_le). */
uint64_t pf_get_le(const void *p, int bytes);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void pf_hex(char *out, const unsigned char *in, size_t len);

/* True if s is valid UTF-8 without C0 controls or DEL. */
bool pf_utf8_clean(const char *s, size_t len);

struct pf_err;
struct strbuf;

/* Read a whole file into sb (appending); more than max bytes is an error. */
int pf_read_file(const char *path, size_t max, struct strbuf *sb, struct pf_err *e);

/*
 * A file mapped read-only, its pages mapped at once (a cache file read
 * at every run: no copy, no fault per page).  A file that changes while
 * mapped is the caller's problem: keep it for files under a lock.
 */
struct pf_map {
	const char *buf;
	size_t len;
};

/* 0, or -1 with errno kept in e (ENOENT when there is none). */
int pf_map_file(const char *path, size_t max, struct pf_map *m, struct pf_err *e);
void pf_unmap(struct pf_map *m);
/* mkdir -p with mode for the directories it creates. */
int pf_mkdir_p(const char *dir, unsigned mode, struct pf_err *e);
/* Remove a directory and everything below it (best effort, no symlinks
 * followed). */
void pf_rmtree(const char *path);

/* SOURCE_DATE_EPOCH if set and valid (1 = set, 0 = unset, -1 = malformed). */
int pf_source_date_epoch(int64_t *out);

#endif
