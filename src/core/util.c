/* util.c — checked allocation, bounded reads, time stamps; see util.h. */
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "camaudit: out of memory allocating %zu bytes\n", size);
    exit(1);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = NULL;
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory(strlen(fmt));
    return out;
}

size_t strlcpy_safe(char *dst, const char *src, size_t dst_size)
{
    size_t len = strlen(src);
    if (dst_size) {
        size_t n = len < dst_size - 1 ? len : dst_size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

char *file_read_all(const char *path, size_t max_bytes, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max_bytes) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed || len > max_bytes) {
        free(buf);
        errno = failed ? EIO : EFBIG;
        return NULL;
    }
    buf[len] = '\0';
    if (out_len)
        *out_len = len;
    return buf;
}

double time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Latest time written: the end of year 9999, the last RFC 3339 can say. */
#define TIME_MAX_SECONDS 253402300799.0

void time_format_rfc3339(double t, char *buf, size_t buf_size)
{
    if (!(t >= 0)) /* negative or NaN: the epoch */
        t = 0;
    if (t > TIME_MAX_SECONDS)
        t = TIME_MAX_SECONDS;
    time_t secs = (time_t)t;
    int millis = (int)((t - (double)secs) * 1000.0);
    if (millis < 0)
        millis = 0;
    if (millis > 999)
        millis = 999;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, buf_size, "%s.%03dZ", base, millis);
}

bool time_parse_rfc3339(const char *text, double *out)
{
    struct tm tm = {0};
    const char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return false;
    double frac = 0;
    if (*rest == '.') {
        char *end;
        frac = strtod(rest, &end);
        rest = end;
    }
    if (*rest == 'Z')
        rest++;
    if (*rest != '\0')
        return false;
    *out = (double)timegm(&tm) + frac;
    return true;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *data_path(const char *name)
{
    const char *env = getenv("CAMAUDIT_DATA_DIR");
    if (env && *env)
        return xasprintf("%s/%s", env, name);
    char *src = xasprintf("%s/%s", CAMAUDIT_SOURCE_DIR, name);
    if (is_dir(src) || access(src, R_OK) == 0)
        return src;
    free(src);
    return xasprintf("%s/%s", CAMAUDIT_DATA_INSTALL_DIR, name);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **dir_list_sorted(const char *dir, const char *suffix, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t suffix_len = strlen(suffix), n = 0;
    char **paths = xmalloc(sizeof *paths);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= suffix_len ||
            strcmp(e->d_name + len - suffix_len, suffix) != 0)
            continue;
        paths = xrealloc(paths, (n + 1) * sizeof *paths);
        paths[n++] = xasprintf("%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(paths, n, sizeof *paths, compare_strings);
    *count = n;
    return paths;
}

void string_list_free(char **list, size_t count)
{
    if (!list)
        return;
    for (size_t i = 0; i < count; i++)
        free(list[i]);
    free(list);
}
