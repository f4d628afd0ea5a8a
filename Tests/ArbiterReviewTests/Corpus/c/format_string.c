#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#define BANNER "service starting\n"

struct request {
    const char *path;
    const char *agent;
};

/* Vulnerable: input used as the format string. */
void log_request(const struct request *req)
{
    printf(req->path);  // arbiter-expect: C-FMT-001
    fprintf(stderr, req->agent);  // arbiter-expect: C-FMT-001
    syslog(LOG_INFO, req->path);  // arbiter-expect: C-FMT-001
}

void echo_line(void)
{
    char line[256];
    char out[256];
    if (fgets(line, sizeof line, stdin) == NULL)
        return;
    printf(line);  // arbiter-expect: C-FMT-001
    snprintf(out, sizeof(out), line);  // arbiter-expect: C-FMT-001
    puts(out);
}

void forward(const char *data, ...)
{
    va_list args;
    va_start(args, data);
    vprintf(data, args);  // arbiter-expect: C-FMT-002
    va_end(args);
}

/* Safe: literal formats, and wrappers that forward their own format parameter. */
void log_request_safely(const struct request *req)
{
    printf("%s\n", req->path);
    fprintf(stderr, "agent=%s\n", req->agent);
    syslog(LOG_INFO, "path=%s", req->path);
    printf(BANNER);
    fputs(req->agent, stdout);
}

void log_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void log_formatted(char *buf, size_t n, const char *format, va_list ap)
{
    vsnprintf(buf, n, format, ap);
}

void show_usage(void)
{
    /* printf(user_input) would be a format string bug. */
    printf("usage: tool [-v] FILE\n");
}
