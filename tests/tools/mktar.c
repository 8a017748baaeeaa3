// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mktar: write a GNU tar stream from a line-based spec on stdin, with
 * full control over what goes in, including what no well-behaved tar
 * would write (absolute and ".." names, devices, setuid bits, names with
 * newlines or invalid UTF-8, headers that claim absurd sizes).
 *
 *   d PATH [MODE]             directory (default 0755)
 *   f PATH MODE CONTENT       regular file with CONTENT
 *   F PATH MODE SIZE          regular file of SIZE bytes of a pattern
 *   H PATH MODE SIZE          header claiming SIZE bytes, no data follows
 *   l PATH TARGET             symlink
 *   h PATH TARGET             hardlink
 *   c PATH | b PATH | p PATH  character device, block device, FIFO
 *
 * PATH, TARGET and CONTENT take C escapes (\n \t \\ \s for a space,
 * \xHH).  MTIME in the environment sets every mtime (default 1717200000).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long mtime = 1717200000;

static void die(const char *msg, const char *line)
{
	fprintf(stderr, "mktar: %s: %s\n", msg, line);
	exit(2);
}

static size_t unescape(char *s)
{
	char *o = s, *p = s;

	while (*p) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': *o++ = '\n'; p++; break;
		case 't': *o++ = '\t'; p++; break;
		case 's': *o++ = ' '; p++; break;
		case '\\': *o++ = '\\'; p++; break;
		case 'x': {
			char hex[3] = { p[1], p[2], 0 };
			*o++ = (char)strtol(hex, NULL, 16);
			p += 3;
			break;
		}
		default: *o++ = *p++; break;
		}
	}
	*o = '\0';
	return (size_t)(o - s);
}

static void octal(char *field, size_t len, uint64_t v)
{
	/* base-256 when the octal field is too small (GNU extension) */
	if (len == 12 && v > 077777777777ULL) {
		memset(field, 0, len);
		field[0] = (char)0x80;
		for (size_t i = len - 1; i > 0 && v; i--, v >>= 8)
			field[i] = (char)(v & 0xff);
		return;
	}
	snprintf(field, len, "%0*" PRIo64, (int)len - 1, v);
}

static void header(const char *name, size_t nlen, char type, unsigned mode,
		   uint64_t size, const char *link, size_t llen);

static void long_entry(char type, const char *s, size_t len)
{
	static const char zero[512];

	header("././@LongLink", 13, type, 0644, len + 1, "", 0);
	fwrite(s, 1, len, stdout);
	fputc(0, stdout);
	fwrite(zero, 1, (512 - (len + 1) % 512) % 512, stdout);
}

static void header(const char *name, size_t nlen, char type, unsigned mode,
		   uint64_t size, const char *link, size_t llen)
{
	unsigned char h[512];
	unsigned sum = 0;

	if (type != 'L' && type != 'K') {
		if (llen > 100)
			long_entry('K', link, llen);
		if (nlen > 100)
			long_entry('L', name, nlen);
	}
	memset(h, 0, sizeof(h));
	memcpy(h, name, nlen > 100 ? 100 : nlen);
	octal((char *)h + 100, 8, mode);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, (uint64_t)mtime);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	memcpy(h + 157, link, llen > 100 ? 100 : llen);
	memcpy(h + 257, "ustar  ", 8);          /* GNU magic + version */
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	if (type == '3' || type == '4') {
		octal((char *)h + 329, 8, 1);
		octal((char *)h + 337, 8, 3);
	}
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	fwrite(h, 1, 512, stdout);
}

static void content(uint64_t size, const char *data, size_t dlen)
{
	static const char zero[512];
	char buf[65536];

	if (data) {
		fwrite(data, 1, dlen, stdout);
	} else {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (char)('a' + i % 26);
		for (uint64_t left = size; left; ) {
			size_t n = left < sizeof(buf) ? left : sizeof(buf);
			fwrite(buf, 1, n, stdout);
			left -= n;
		}
	}
	fwrite(zero, 1, (512 - size % 512) % 512, stdout);
}

int main(void)
{
	char line[65536];
	const char *mt = getenv("MTIME");
	static const char zero[1024];

	if (mt)
		mtime = strtoll(mt, NULL, 10);
	while (fgets(line, sizeof(line), stdin)) {
		char *f[4] = { NULL, NULL, NULL, NULL };
		char *copy;
		size_t nlen, llen;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		copy = strdup(line);
		/* TYPE PATH [A [B]]; for 'f' the rest after MODE is content */
		{
			char *p = copy;
			while (p && n < 4) {
				char *sp;
				if (n == 3 && copy[0] == 'f') {
					f[n++] = p;
					break;
				}
				sp = strchr(p, ' ');
				if (sp)
					*sp = '\0';
				f[n++] = p;
				p = sp ? sp + 1 : NULL;
			}
		}
		if (n < 2)
			die("bad line", line);
		nlen = unescape(f[1]);
		switch (f[0][0]) {
		case 'd':
			header(f[1], nlen, '5', f[2] ? (unsigned)strtoul(f[2], NULL, 8) : 0755,
			       0, "", 0);
			break;
		case 'f': {
			size_t clen;
			if (!f[2])
				die("f needs MODE CONTENT", line);
			clen = f[3] ? unescape(f[3]) : 0;
			header(f[1], nlen, '0', (unsigned)strtoul(f[2], NULL, 8), clen, "", 0);
			content(clen, f[3] ? f[3] : "", clen);
			break;
		}
		case 'F':
		case 'H': {
			uint64_t size;
			if (!f[2] || !f[3])
				die("F/H need MODE SIZE", line);
			size = strtoull(f[3], NULL, 10);
			header(f[1], nlen, '0', (unsigned)strtoul(f[2], NULL, 8), size, "", 0);
			if (f[0][0] == 'F')
				content(size, NULL, 0);
			break;
		}
		case 'l':
		case 'h':
			if (!f[2])
				die("l/h need TARGET", line);
			llen = unescape(f[2]);
			header(f[1], nlen, f[0][0] == 'l' ? '2' : '1', f[0][0] == 'l' ? 0777 : 0644,
			       0, f[2], llen);
			break;
		case 'c':
			header(f[1], nlen, '3', 0644, 0, "", 0);
			break;
		case 'b':
			header(f[1], nlen, '4', 0644, 0, "", 0);
			break;
		case 'p':
			header(f[1], nlen, '6', 0644, 0, "", 0);
			break;
		default:
			die("unknown type", line);
		}
		free(copy);
	}
	fwrite(zero, 1, sizeof(zero), stdout);
	return ferror(stdout) ? 1 : 0;
}
