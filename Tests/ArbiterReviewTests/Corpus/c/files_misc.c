#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <alloca.h>

/* Vulnerable: check-then-use race on a privileged path. */
int append_log(const char *path, const char *line)
{
    if (access(path, W_OK) != 0)  // arbiter-expect: C-RACE-001
        return -1;
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0)
        return -1;
    write(fd, line, strlen(line));
    close(fd);
    return 0;
}

FILE *open_scratch(void)
{
    char *name = tmpnam(NULL);  // arbiter-expect: C-TMP-001
    return fopen(name, "w+");
}

int make_scratch_dir(char *templ)
{
    if (mktemp(templ) == NULL)  // arbiter-expect: C-TMP-001
        return -1;
    return mkdir(templ, 0700);
}

void publish(const char *path)
{
    chmod(path, 0777);  // arbiter-expect: C-PERM-001
}

void process_fields(char *record, size_t count)
{
    char *field = strtok(record, ",");  // arbiter-expect: C-THREAD-001
    char *scratch = alloca(count * 16);  // arbiter-expect: C-MEM-001
    while (field != NULL) {
        int value = atoi(field);  // arbiter-expect: C-QUAL-001
        snprintf(scratch, count * 16, "%d", value);
        field = strtok(NULL, ",");  // arbiter-expect: C-THREAD-001
    }
}

/* Safe equivalents. */
int append_log_safely(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    write(fd, line, strlen(line));
    close(fd);
    return 0;
}

FILE *open_scratch_safely(void)
{
    char templ[] = "/tmp/scratch-XXXXXX";
    int fd = mkstemp(templ);
    return fd < 0 ? NULL : fdopen(fd, "w+");
}

void publish_safely(const char *path)
{
    chmod(path, 0644);
    chmod(path, S_IRUSR | S_IWUSR | S_IRGRP);
}

long parse_count(const char *text)
{
    char *end = NULL;
    long value = strtol(text, &end, 10);
    return (end == text || *end != '\0') ? -1 : value;
}

void process_fields_safely(char *record)
{
    char *save = NULL;
    for (char *f = strtok_r(record, ",", &save); f != NULL; f = strtok_r(NULL, ",", &save))
        printf("%ld\n", parse_count(f));
}
